"""The switch side of xenlab: a netmiko client, TextFSM parsing, and typed switch facts."""
