"""HTTP plumbing shared by the blueprints."""
