"""HA failover testing: fencing a host, watching the pool recover, the timeline, and the lab lock."""
