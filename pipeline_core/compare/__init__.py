"""The compare stage: leaderboard, significance, charts, diffs, reproduction, explanations."""
