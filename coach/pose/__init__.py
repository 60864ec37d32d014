"""Pose estimation: model provisioning and landmark detection."""
