"""The incident register: the threat catalogue (seeded), incidents, their history and links.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | None = None
depends_on: str | None = None

#: (slug, name, priority, responders to notify, what the staff do)
CATALOGUE = (
    (
        "drzewo",
        "Powalone drzewo na drodze",
        "wysoki",
        ["drogowcy", "osp", "soltys"],
        "Ustal, czy droga jest zablokowana i czy są poszkodowani (wtedy 112). Powiadom służbę"
        " drogową i OSP, poproś zgłaszającego o oznakowanie miejsca, jeśli to bezpieczne.",
    ),
    (
        "podtopienie",
        "Zalana piwnica / podtopienie",
        "wysoki",
        ["osp", "dyzurny", "soltys"],
        "Zapytaj o poziom wody, zagrożenie dla budynku i instalacji elektrycznej. Powiadom OSP i"
        " dyżurnego zarządzania kryzysowego; przy zagrożeniu życia — 112.",
    ),
    (
        "barierka",
        "Uszkodzona barierka mostu",
        "wysoki",
        ["drogowcy", "dyzurny"],
        "Ustal, który most i z której strony. Powiadom służbę drogową o potrzebie zabezpieczenia"
        " i oznakowania miejsca.",
    ),
    (
        "wysypisko",
        "Dzikie wysypisko śmieci",
        "niski",
        ["dyzurny", "soltys"],
        "Zapisz, co leży (opony, gruz, azbest) i od kiedy. Przekaż sprawę do komórki ochrony"
        " środowiska; przy odpadach niebezpiecznych — policja.",
    ),
    (
        "psy",
        "Wataha bezpańskich psów",
        "wysoki",
        ["policja", "dyzurny", "soltys"],
        "Zapytaj o liczbę psów i czy ktoś został pogryziony (wtedy 112). Powiadom policję i"
        " dyżurnego; poinformuj o schronisku, z którym gmina ma umowę.",
    ),
    (
        "oswietlenie",
        "Awaria oświetlenia ulicznego",
        "niski",
        ["dyzurny"],
        "Zapisz numer słupa lub najbliższy adres. Przekaż do operatora oświetlenia.",
    ),
    (
        "nawierzchnia",
        "Uszkodzona nawierzchnia drogi",
        "sredni",
        ["drogowcy"],
        "Zapisz miejsce i wielkość ubytku. Powiadom służbę drogową; głęboka wyrwa na jezdni —"
        " priorytet wysoki.",
    ),
    (
        "pozar",
        "Zagrożenie pożarowe",
        "krytyczny",
        ["osp", "dyzurny", "policja"],
        "Przy ogniu lub dymie: 112 natychmiast. Powiadom OSP i dyżurnego.",
    ),
    (
        "wodociag",
        "Awaria wodociągu",
        "wysoki",
        ["dyzurny", "soltys"],
        "Zapisz miejsce wycieku lub brak wody i od kiedy. Powiadom zakład wodociągowy i dyżurnego.",
    ),
    (
        "oblodzenie",
        "Oblodzenie drogi lub chodnika",
        "sredni",
        ["drogowcy"],
        "Zapisz miejsce. Powiadom służbę zimowego utrzymania dróg.",
    ),
    (
        "inne",
        "Inne zagrożenie",
        "sredni",
        ["dyzurny"],
        "Opisz zagrożenie jak najdokładniej i przekaż dyżurnemu.",
    ),
)


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _child(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f(f"fk_{table}_incident_id_incidents"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    """Create the four tables and seed the catalogue."""
    categories = op.create_table(
        "threat_categories",
        _id(),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("instructions", sa.Text(), server_default="", nullable=False),
        sa.Column("notify", sa.Text(), server_default="[]", nullable=False),
        sa.Column("priority", sa.String(length=16), server_default="sredni", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threat_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_threat_categories_slug")),
    )
    text = {"server_default": "", "nullable": False}
    op.create_table(
        "incidents",
        _id(),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), **text),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), **text),
        sa.Column("solectwo", sa.String(length=200), **text),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="zgloszone", nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), **text),
        sa.Column("reporter_phone", sa.String(length=40), **text),
        sa.Column("photo_sha256", sa.String(length=64), **text),
        sa.Column("photo_type", sa.String(length=32), **text),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), **text),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["threat_categories.id"],
            name=op.f("fk_incidents_category_id_threat_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["incidents.id"],
            name=op.f("fk_incidents_merged_into_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_open", "incidents", ["category_id", "status", "created_at"])
    op.create_index(op.f("ix_incidents_created_at"), "incidents", ["created_at"])
    op.create_index(op.f("ix_incidents_merged_into"), "incidents", ["merged_into"])
    op.create_table(
        "incident_events",
        _id(),
        *_child("incident_events"),
        _when("at"),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), **text),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    op.create_index(op.f("ix_incident_events_incident_id"), "incident_events", ["incident_id"])
    op.create_table(
        "incident_links",
        _id(),
        *_child("incident_links"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), **text),
        _when("added_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_links")),
        sa.UniqueConstraint(
            "incident_id", "kind", "ref", name=op.f("uq_incident_links_incident_id_kind_ref")
        ),
    )
    op.create_index(op.f("ix_incident_links_incident_id"), "incident_links", ["incident_id"])
    op.create_index(op.f("ix_incident_links_ref"), "incident_links", ["ref"])
    op.bulk_insert(
        categories,
        [
            {
                "slug": slug,
                "name": name,
                "priority": priority,
                "notify": json.dumps(notify),
                "instructions": instructions,
                "position": i,
                "active": True,
            }
            for i, (slug, name, priority, notify, instructions) in enumerate(CATALOGUE, 1)
        ],
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("incident_links")
    op.drop_table("incident_events")
    op.drop_table("incidents")
    op.drop_table("threat_categories")
