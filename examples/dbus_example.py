#!/usr/bin/python3
"""Creates a tap through tapd's D-Bus API, prints its properties, opens its fd, deletes it.

Needs python3-dbus. The tap is not persistent: tapd deletes it anyway when this program's bus
connection closes, so an exception halfway leaves nothing behind.
"""
import os

import dbus

bus = dbus.SystemBus()  # DBUS_SYSTEM_BUS_ADDRESS, if set, says where it is
manager = dbus.Interface(bus.get_object("net.tapd1", "/net/tapd1"), "net.tapd1.Manager")

path = manager.CreateTap("tap0", {
    "addresses": dbus.Array(["192.168.69.100/24", "fdaa::100/64"], signature="s"),
    "masquerade": True,
    "mac": "02:00:00:00:00:01",
})
print("created", path)

props = bus.get_object("net.tapd1", path).GetAll(
    "net.tapd1.Tap", dbus_interface="org.freedesktop.DBus.Properties")
for name in sorted(props):
    value = props[name]
    if isinstance(value, dbus.Boolean):
        value = bool(value)
    elif isinstance(value, dbus.Array):
        value = list(map(str, value))
    print(f"  {name}: {value}")

# A dbus.types.UnixFd owns a duplicate of the fd; take() hands it over (we must close it).
fd = manager.OpenTap("tap0", dbus.Dictionary({}, signature="sv")).take()
print("fd is", os.readlink(f"/proc/self/fd/{fd}"))  # read()/write() move whole frames
os.close(fd)

manager.DeleteTap("tap0")
print("deleted; my taps:", list(map(str, manager.ListTaps())))
