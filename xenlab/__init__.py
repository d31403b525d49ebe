"""xenlab: acceptance checks for XenServer/XCP-ng pools, their switches and their storage."""
