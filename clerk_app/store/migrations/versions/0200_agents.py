"""Proxy agents (代办): registry, status history, commissions with materials and steps,
handover sheets.

Revision ID: 0200_agents
Revises: 0002_case_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0200_agents'
down_revision = '0002_case_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('agent_no', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('id_type', sa.String(length=20), nullable=False),
    sa.Column('id_number', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.String(length=4), nullable=True),
    sa.Column('township_code', sa.String(length=12), nullable=False),
    sa.Column('villages', sa.JSON(), nullable=False),
    sa.Column('grid', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_date', sa.Date(), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('public_keys', sa.JSON(), nullable=False),
    sa.Column('key_serial', sa.Integer(), nullable=False),
    sa.Column('provision_count', sa.Integer(), nullable=False),
    sa.Column('laptop_device_no', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agent_no'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agents_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_agents_username'), ['username'], unique=False)

    op.create_table('agent_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('old_status', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('operator_name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agent_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_status_changes_agent_id'), ['agent_id'], unique=False)

    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_no', sa.String(length=32), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('commission_nos', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('received_by', sa.String(length=60), nullable=False),
    sa.Column('received_device', sa.String(length=40), nullable=False),
    sa.Column('print_count', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sheet_no')
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_state'), ['state'], unique=False)

    op.create_table('commissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_no', sa.String(length=24), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('item_code', sa.String(length=80), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('principal_name', sa.String(length=200), nullable=False),
    sa.Column('principal_id_type', sa.String(length=20), nullable=False),
    sa.Column('principal_id_number', sa.String(length=40), nullable=False),
    sa.Column('principal_phone', sa.String(length=40), nullable=False),
    sa.Column('principal_address', sa.String(length=300), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('subdelegation', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('collected_at', sa.DateTime(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(), nullable=True),
    sa.Column('sheet_no', sa.String(length=32), nullable=True),
    sa.Column('case_no', sa.String(length=32), nullable=True),
    sa.Column('result_text', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['service_items.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commission_no')
    )
    with op.batch_alter_table('commissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commissions_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commissions_case_no'), ['case_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_commissions_state'), ['state'], unique=False)

    op.create_table('commission_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('copies_required', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('condition_applies', sa.Boolean(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('copies_received', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('township_check', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['commission_id'], ['commissions.id'], ),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('commission_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_materials_commission_id'), ['commission_id'], unique=False)

    op.create_table('commission_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('operator_name', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('device', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['commission_id'], ['commissions.id'], ),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('commission_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commission_steps_commission_id'), ['commission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('commission_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_steps_commission_id'))

    op.drop_table('commission_steps')
    with op.batch_alter_table('commission_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commission_materials_commission_id'))

    op.drop_table('commission_materials')
    with op.batch_alter_table('commissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commissions_state'))
        batch_op.drop_index(batch_op.f('ix_commissions_case_no'))
        batch_op.drop_index(batch_op.f('ix_commissions_agent_id'))

    op.drop_table('commissions')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handovers_state'))
        batch_op.drop_index(batch_op.f('ix_handovers_agent_id'))

    op.drop_table('handovers')
    with op.batch_alter_table('agent_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_status_changes_agent_id'))

    op.drop_table('agent_status_changes')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agents_username'))
        batch_op.drop_index(batch_op.f('ix_agents_status'))

    op.drop_table('agents')
