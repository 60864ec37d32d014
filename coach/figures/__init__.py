"""Qt-free stick-figure kinematics: the exercise drawings, built from the exercise data."""
