"""The desktop app: thin widgets and their controllers; no scoring logic in a widget."""
