"""The prepare stage: a spec's row cleaning and its one scikit-learn Pipeline of steps."""
