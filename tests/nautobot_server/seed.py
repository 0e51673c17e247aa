"""Fills a freshly migrated Nautobot with what the source-of-truth tests read (run by
tests/nautobot_fixture.py with the Nautobot venv's Python, never imported by the tests).

Four sites, three roles, platforms with network drivers (and one whose driver netmiko does
not know), two tenants, tags, a custom field, config contexts; lab devices whose primary IP
is 127.0.0.1 (the lab listens there), two devices that cannot be reached (no primary IP, an
unknown driver), and BULK devices made with bulk_create, not one API call each.
Addresses are documentation ranges only (192.0.2.0/24, 2001:db8::/32) besides loopback.
"""

from __future__ import annotations

import ipaddress
import sys

import nautobot

nautobot.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import transaction  # noqa: E402
from nautobot.dcim.models import (  # noqa: E402
    Device,
    DeviceType,
    Location,
    LocationType,
    Manufacturer,
    Platform,
)
from nautobot.extras.models import (  # noqa: E402
    ConfigContext,
    CustomField,
    Role,
    Status,
    Tag,
)
from nautobot.ipam.models import IPAddress, Namespace, Prefix  # noqa: E402
from nautobot.tenancy.models import Tenant  # noqa: E402
from nautobot.users.models import Token, User  # noqa: E402

TOKEN = sys.argv[1]
BULK = int(sys.argv[2])
LAB = {  # name: (location, role, tenant, tags)
    "lab-core-ams-1": ("AMS", "core", "blue", ["lab"]),
    "lab-core-ams-2": ("AMS", "core", "green", ["lab", "pci"]),
    "lab-edge-ams-1": ("AMS", "edge", "blue", ["lab"]),
    "lab-core-fra-1": ("FRA", "core", "blue", ["lab"]),
}


@transaction.atomic  # all or nothing: a failed seed leaves the template as migrated
def seed() -> None:
    device_ct = ContentType.objects.get_for_model(Device)
    active = Status.objects.get(name="Active")
    planned = Status.objects.get(name="Planned")
    site = LocationType.objects.create(name="Site")
    site.content_types.add(device_ct)
    locations = {
        n: Location.objects.create(name=n, location_type=site, status=active)
        for n in ("AMS", "FRA", "LON", "NYC")
    }
    roles = {}
    for name in ("core", "edge", "access"):
        roles[name] = Role.objects.create(name=name)
        roles[name].content_types.add(device_ct)
    tenants = {n: Tenant.objects.create(name=n) for n in ("blue", "green")}
    tags = {}
    for name in ("lab", "pci", "bulk"):
        tags[name] = Tag.objects.create(name=name)
        tags[name].content_types.add(device_ct)
    vendors = {n: Manufacturer.objects.create(name=n) for n in ("Cisco", "Arista", "Acme")}
    types = {
        "Cisco": DeviceType.objects.create(manufacturer=vendors["Cisco"], model="ISR4331"),
        "Arista": DeviceType.objects.create(manufacturer=vendors["Arista"], model="DCS-7050"),
        "Acme": DeviceType.objects.create(manufacturer=vendors["Acme"], model="Box 9"),
    }
    platforms = {
        "IOS": Platform.objects.create(
            name="IOS", manufacturer=vendors["Cisco"], network_driver="cisco_ios"
        ),
        "EOS": Platform.objects.create(
            name="EOS", manufacturer=vendors["Arista"], network_driver="arista_eos"
        ),
        "AcmeOS": Platform.objects.create(
            name="AcmeOS", manufacturer=vendors["Acme"], network_driver="acme_os"
        ),
    }
    field = CustomField.objects.create(key="ntp_server", label="NTP server", type="text")
    field.content_types.add(device_ct)
    ConfigContext.objects.create(
        name="global", weight=100, data={"domain": "example.net", "ntp_server": "none"}
    )
    ams = ConfigContext.objects.create(
        name="ams", weight=200, data={"syslog": "192.0.2.50", "domain": "ams.example.net"}
    )
    ams.locations.add(locations["AMS"])
    # Contexts by tag and by tenant, and devices with local data of their own: devices
    # alike in every field a context selects on share one (runner/load/sot_contexts.py).
    pci = ConfigContext.objects.create(
        name="pci", weight=300, data={"syslog": "192.0.2.51", "pci": True}
    )
    pci.tags.add(tags["pci"])
    green = ConfigContext.objects.create(
        name="green", weight=150, data={"contact": "noc-green@example.net"}
    )
    green.tenants.add(tenants["green"])

    namespace = Namespace.objects.get(name="Global")
    Prefix.objects.create(prefix="127.0.0.0/8", namespace=namespace, status=active)
    Prefix.objects.create(prefix="192.0.2.0/24", namespace=namespace, status=active)
    six = Prefix.objects.create(prefix="2001:db8::/64", namespace=namespace, status=active)
    home = IPAddress.objects.create(address="127.0.0.1/8", namespace=namespace, status=active)

    for name, (where, role, tenant, labels) in LAB.items():
        device = Device.objects.create(
            name=name,
            location=locations[where],
            role=roles[role],
            tenant=tenants[tenant],
            device_type=types["Cisco"],
            platform=platforms["IOS"],
            status=active,
            primary_ip4=home,
            _custom_field_data={"ntp_server": "192.0.2.123"},
        )
        device.tags.set([tags[t] for t in labels])
    Device.objects.create(
        name="lab-noip-ams-1",
        location=locations["AMS"],
        role=roles["core"],
        device_type=types["Cisco"],
        platform=platforms["IOS"],
        status=active,
    )
    odd = IPAddress.objects.create(address="192.0.2.99/24", namespace=namespace, status=active)
    Device.objects.create(
        name="lab-acme-ams-1",
        location=locations["AMS"],
        role=roles["core"],
        device_type=types["Acme"],
        platform=platforms["AcmeOS"],
        status=active,
        primary_ip4=odd,
    )

    # The bulk devices: one IPv6 address each (2001:db8::/64 has room), made in batches.
    base = ipaddress.IPv6Address("2001:db8::")
    addresses = IPAddress.objects.bulk_create(
        [
            IPAddress(
                host=str(base + i + 1),
                mask_length=64,
                ip_version=6,
                type="host",
                status=active,
                parent=six,
            )
            for i in range(BULK)
        ],
        batch_size=2000,
    )
    sites, names = list(locations.values()), list(roles.values())
    kinds = [("Cisco", "IOS"), ("Arista", "EOS")]
    devices = []
    for i in range(BULK):
        vendor, platform = kinds[i % 2]
        devices.append(
            Device(
                name=f"bulk-{i:05d}",
                location=sites[i % 4],
                role=names[i % 3],
                device_type=types[vendor],
                platform=platforms[platform],
                tenant=tenants["blue" if i % 2 else "green"],
                status=planned if i % 7 == 0 else active,
                primary_ip6=addresses[i],
                _custom_field_data={"ntp_server": f"192.0.2.{i % 250 + 1}"},
                local_config_context_data=(
                    {"domain": f"bulk-{i}.example.net"} if i % 1000 == 999 else None
                ),
            )
        )
    made = Device.objects.bulk_create(devices, batch_size=2000)
    Device.tags.through.objects.bulk_create(
        [
            Device.tags.through(content_type=device_ct, object_id=d.pk, tag=tags["bulk"])
            for d in made
        ]
        + [
            Device.tags.through(content_type=device_ct, object_id=d.pk, tag=tags["pci"])
            for d in made[1::5]
        ],
        batch_size=2000,
    )
    user = User.objects.create_user(username="netjob", password=None, is_superuser=True)
    Token.objects.create(user=user, key=TOKEN)
    print(f"seeded: {Device.objects.count()} devices")


seed()
