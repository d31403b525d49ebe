"""What a XenServer dom0 holds on disk, as far as the checks look: files, packages, commands."""

from __future__ import annotations

from simlab.model.lab import Lab
from simlab.model.objects import Host, stable_uuid

PRODUCT_VERSION = "8.2.1"

OS_RELEASE = f"""NAME="XenServer"
VERSION="{PRODUCT_VERSION}"
ID="xenenterprise"
ID_LIKE="centos rhel fedora"
VERSION_ID="{PRODUCT_VERSION}"
PRETTY_NAME="XenServer {PRODUCT_VERSION}"
ANSI_COLOR="0;31"
HOME_URL="http://www.citrix.com/"
"""

PACKAGES = {
    "xapi-core": "1.249.26-1",
    "xenserver-release": f"{PRODUCT_VERSION}-2",
    "openvswitch": "2.5.3-2.3.12",
    "iscsi-initiator-utils": "6.2.0.874-7.xs8",
    "device-mapper-multipath": "0.4.9-119.xs8",
    "chrony": "3.4-1",
    "kernel": "4.19.19-7.0.15",
    "xen-hypervisor": "4.13.4-9.31",
}

COMMANDS = {
    "cat": "/usr/bin/cat",
    "test": "/usr/bin/test",
    "stat": "/usr/bin/stat",
    "uname": "/usr/bin/uname",
    "hostname": "/usr/bin/hostname",
    "echo": "/usr/bin/echo",
    "grep": "/usr/bin/grep",
    "true": "/usr/bin/true",
    "ip": "/usr/sbin/ip",
    "ping": "/usr/bin/ping",
    "systemctl": "/usr/bin/systemctl",
    "rpm": "/usr/bin/rpm",
    "ovs-appctl": "/usr/bin/ovs-appctl",
    "ovs-vsctl": "/usr/bin/ovs-vsctl",
    "iscsiadm": "/usr/sbin/iscsiadm",
    "command": "command",
}

DIRECTORIES = {"/", "/etc", "/run", "/run/systemd", "/run/systemd/system", "/var", "/var/run", "/tmp", "/root"}


def xensource_inventory(lab: Lab, host: Host) -> str:
    management = next((n for n in lab.networks.values() if n.purpose == "management"), None)
    bridge = management.bridge if management else "xenbr0"
    rows = {
        "PRODUCT_BRAND": "XenServer",
        "PRODUCT_NAME": "xenenterprise",
        "PRODUCT_VERSION": PRODUCT_VERSION,
        "PLATFORM_NAME": "XCP",
        "BUILD_NUMBER": "release/yangtze/master/58",
        "INSTALLATION_UUID": host.uuid,
        "CONTROL_DOMAIN_UUID": stable_uuid(lab.name, "dom0", host.name),
        "MANAGEMENT_INTERFACE": bridge,
        "MANAGEMENT_ADDRESS_TYPE": "IPv4",
        "CURRENT_INTERFACES": " ".join(n.bridge for n in lab.networks.values() if n.name in host.net_addresses),
        "DOM0_MEM": "4096",
        "DOM0_VCPUS": str(min(host.cpu_count, 8)),
    }
    return "".join(f"{key}='{value}'\n" for key, value in rows.items())


def read_file(lab: Lab, host: Host, path: str) -> str | None:
    files = {
        "/etc/os-release": lambda: OS_RELEASE,
        "/etc/redhat-release": lambda: f"XenServer release {PRODUCT_VERSION} (xenenterprise)\n",
        "/etc/xensource-inventory": lambda: xensource_inventory(lab, host),
        "/etc/hostname": lambda: f"{host.name}\n",
    }
    render = files.get(path.rstrip("/") or "/")
    return render() if render else None
