"""Programs (recurring brands), their editions (one run each, with targets) and per-town quotas."""
