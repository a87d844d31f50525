from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from netral.accounts import nip as nip_parser
from netral.accounts.models import Role, User
from netral.events.enums import EventStatus, ParticipantKind
from netral.events.models import Event, Participant, Session, Speaker

WIB = ZoneInfo("Asia/Jakarta")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"panitia{n}")
    role = Role.ORGANISER
    password = factory.django.Password("rahasia-uji-123")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    owner = factory.SubFactory(UserFactory)
    code = factory.Sequence(lambda n: f"EV{n:04d}"[:8].replace("0", "A").replace("1", "B"))
    title = factory.Sequence(lambda n: f"Sosialisasi Netralitas ASN {n}")
    starts_at = datetime(2024, 9, 17, 9, 0, tzinfo=WIB)
    venue_name = "Aula Kelurahan Brebes"
    organiser_name = "Universitas Jenderal Soedirman"
    status = EventStatus.PUBLISHED


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Narasumber {n}")
    title_suffix = "M.Si."


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Materi {n}")


def valid_nip(n: int) -> str:
    """A structurally valid PNS NIP, different for each n (serial 1-999, then birth day)."""
    return nip_parser.build_nip(date(1980 + n // 999 % 20, 1 + n // 19980 % 12, 1 + n // 239760 % 28),
                                2005, 3, "M" if n % 2 else "F", n % 999 + 1)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    event = factory.SubFactory(EventFactory)
    kind = ParticipantKind.PNS
    nip = factory.Sequence(valid_nip)
    name = factory.Sequence(lambda n: f"Peserta {n}")
    agency = "Kelurahan Brebes"
    unit = "Seksi Pemerintahan"
