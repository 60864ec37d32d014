"""The Qt-free scoring core: numpy and the standard library only."""
