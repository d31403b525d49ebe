"""The twin's HA: xhad on every host (heartbeats, statefile, survival rules) and xapi's failover on the master."""
