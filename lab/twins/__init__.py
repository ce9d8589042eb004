"""Vendor CLI twins: SSH servers speaking Huawei VRP5/VRPv8, H3C Comware 7, Ruijie RGOS and ZTE
ZXROS as netmiko expects, backed by the kernel of each device's network namespace."""

from lab.twins.control import kill_sessions

__all__ = ["kill_sessions"]
