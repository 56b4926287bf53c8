"""The export stage: the script, the model card, the serving bundle, scoring new rows."""
