"""Moving a site in and out: WordPress and JSON imports and exports."""
