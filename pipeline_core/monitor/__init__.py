"""Watching new data against a trained model: the data contract, drift, performance, champion and challenger."""
