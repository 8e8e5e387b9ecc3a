"""Who may enrol a device with the county center."""

from __future__ import annotations

import pytest

from clerk_app.services import agents, auth, sync_admin
from clerk_app.services.common import PermissionDenied, ServiceError
from tests.core.test_agents_support import MemoryKeys, agent_input, make_laptop


def test_a_clerk_may_not_enrol_the_counter(demo_ctx, clerk):
    with pytest.raises(PermissionDenied):
        sync_admin.enrol(demo_ctx, clerk, "https://county.example/", "CODE")


def test_an_agent_enrols_their_own_laptop_but_not_a_counter(demo_ctx, supervisor, tmp_path, clock):
    store = agents.KeyStore(MemoryKeys())
    agents.use_key_store(store)
    try:
        agent = agents.register_agent(demo_ctx, supervisor, agent_input())
        prov = agents.export_provisioning(demo_ctx, supervisor, agent.id)
        laptop = make_laptop(tmp_path / "laptop", clock)
        agents.import_provisioning(laptop, prov.content, prov.code, store)
        me = auth.login(laptop, agent_input().username, agent_input().password)
        # past the permission check: the next thing checked is the address itself
        with pytest.raises(ServiceError) as info:
            sync_admin.enrol(laptop, me, "", "CODE")
        assert not isinstance(info.value, PermissionDenied) and info.value.field == "url"
        at_counter = auth.login(demo_ctx, agent_input().username, agent_input().password)
        with pytest.raises(PermissionDenied):
            sync_admin.enrol(demo_ctx, at_counter, "", "CODE")
    finally:
        agents.use_key_store(None)
