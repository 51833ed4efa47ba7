"""The database's record of the periodic jobs' runs: what lets a restarted scheduler know what it missed."""
