#!/usr/bin/env python3
"""Brokkr's own Python SDK (PyPI brokkr-client, import name `brokkr`) against a running broker.

Walks the flows a user of the original would: admin creates a generator and an agent, the
generator applies a folder of manifests with targeting labels (created -> unchanged -> updated),
the agent reads its target state, reports the result, and admin reads events and the audit log.
Every call goes through the SDK unchanged; any unexpected status raises.

Usage (SDK in a venv, broker running, its admin PAK at hand):
  python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install brokkr-client==0.9.1 brokkr-client-generated==0.9.1
  /tmp/sdk/bin/python scripts/sdk-smoke.py http://localhost:3000 "$(cat brokkr-data/admin-pak.txt)"
"""
import asyncio
import datetime
import sys
import tempfile
import uuid
from pathlib import Path

from brokkr import BrokkrClient
from brokkr_broker_client.api.agent_events import create_event, list_events
from brokkr_broker_client.api.agent_labels import agents_add_label
from brokkr_broker_client.api.admin import list_audit_logs, reload_config
from brokkr_broker_client.api.agents import create_agent, get_target_state, update_agent, record_heartbeat
from brokkr_broker_client.api.auth import verify_pak
from brokkr_broker_client.api.generators import create_generator, register_agent
from brokkr_broker_client.api.stacks import instantiate_template, list_stacks
from brokkr_broker_client.api.templates import create_template, templates_add_label
from brokkr_broker_client.api.work_orders import (claim_work_order, complete_work_order, create_work_order,
                                                  get_work_order_log, list_pending_for_agent)
from brokkr_broker_client.models import (ClaimWorkOrderRequest, CompleteWorkOrderRequest, CreateTemplateRequest,
                                         CreateWorkOrderRequest, TemplateInstantiationRequest, WorkOrderTargeting)
from brokkr_broker_client.api.diagnostics import (claim_diagnostic, create_diagnostic_request, get_diagnostic,
                                                  get_pending_diagnostics, submit_diagnostic_result)
from brokkr_broker_client.api.health import get_deployment_health, get_stack_health, update_health_status
from brokkr_broker_client.api.webhooks import create_webhook, list_deliveries, list_event_types
from brokkr_broker_client.models import (CreateDiagnosticRequest, CreateWebhookRequest, DeploymentObjectHealthUpdate,
                                         HealthStatusUpdate, HealthSummary, SubmitDiagnosticResult)
from brokkr_broker_client.models import AgentRegistrationBody, HeartbeatReport, CreateAgentRequest, NewAgentEvent, NewAgentLabel, NewGenerator


def check(resp, *statuses):
    if int(resp.status_code) not in statuses:
        raise SystemExit(f"unexpected {resp.status_code}: {resp.content[:300]!r}")
    return resp.parsed


async def main(url: str, admin_pak: str) -> None:
    # SDK 0.9.1 takes the API root itself; later versions add /api/v1 when it is missing
    url = url.rstrip("/")
    url = url if url.endswith("/api/v1") else url + "/api/v1"
    run = uuid.uuid4().hex[:8]
    admin = BrokkrClient(url, token=admin_pak)
    me = check(await verify_pak.asyncio_detailed(client=admin.api), 200)
    assert me.admin, "the admin PAK is admin"

    gen = check(await create_generator.asyncio_detailed(client=admin.api, body=NewGenerator(name=f"sdk-{run}")), 201)
    generator = BrokkrClient(url, token=gen.pak)
    print(f"generator {gen.generator.id}")

    agent = check(await create_agent.asyncio_detailed(client=admin.api, body=CreateAgentRequest(
        name=f"sdk-agent-{run}", cluster_name="sdk")), 201)
    agent_id = agent.agent.id
    check(await agents_add_label.asyncio_detailed(agent_id, client=admin.api, body=NewAgentLabel(
        agent_id=agent_id, label=f"sdk:{run}")), 201)
    agent_client = BrokkrClient(url, token=agent.initial_pak)
    check(await register_agent.asyncio_detailed(gen.generator.id, client=agent_client.api, body=AgentRegistrationBody()), 201)
    print(f"agent {agent_id} registered with the generator")

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "cm.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sdk-{run}\n  namespace: default\ndata:\n  k: v1\n")
        first = await generator.apply(f"sdk-stack-{run}", folder, targeting=[f"sdk:{run}"])
        again = await generator.apply(f"sdk-stack-{run}", folder, targeting=[f"sdk:{run}"])
        (folder / "cm.yaml").write_text((folder / "cm.yaml").read_text().replace("v1", "v2"))
        third = await generator.apply(f"sdk-stack-{run}", folder, targeting=[f"sdk:{run}"])
    print(f"apply: {first.status} -> {again.status} -> {third.status}")
    assert (first.status, again.status, third.status) == ("created", "unchanged", "updated")

    state = check(await get_target_state.asyncio_detailed(agent_id, client=agent_client.api), 200)
    assert len(state) == 1 and "v2" in state[0].yaml_content, state
    check(await record_heartbeat.asyncio_detailed(agent_id, client=agent_client.api, body=HeartbeatReport()), 204)
    event = check(await create_event.asyncio_detailed(agent_id, client=agent_client.api, body=NewAgentEvent(
        agent_id=agent_id, deployment_object_id=state[0].id, event_type="DEPLOY", status="SUCCESS", message="sdk")), 201)
    events = check(await list_events.asyncio_detailed(agent_id, client=admin.api), 200)
    assert any(e.id == event.id for e in events)
    logs = check(await list_audit_logs.asyncio_detailed(client=admin.api), 200)
    print(f"target state: 1 object; event {event.id}; audit rows visible: {logs.total}")
    reloaded = check(await reload_config.asyncio_detailed(client=admin.api), 200)
    assert reloaded.success and isinstance(reloaded.changes, list), reloaded
    print(f"config reload: {reloaded.message}")

    # templates: a generator's template, label-matched to its stack, instantiated with parameters
    stack = next(st for st in check(await list_stacks.asyncio_detailed(client=generator.api), 200)
                 if st.name == f"sdk-stack-{run}")
    template = check(await create_template.asyncio_detailed(client=generator.api, body=CreateTemplateRequest(
        name=f"sdk-tpl-{run}",
        template_content="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name | lower }}\n"
                         "  namespace: {{ namespace | default(value=\"default\") }}\ndata:\n"
                         "{% for k in keys %}  {{ k }}: \"{{ loop.index }}\"\n{% endfor %}",
        parameters_schema='{"type":"object","required":["name","keys"],"properties":{"name":{"type":"string"},'
                          '"keys":{"type":"array","items":{"type":"string"}}}}')), 201)
    check(await templates_add_label.asyncio_detailed(template.id, client=generator.api, body=f"sdk:{run}"), 201)
    rendered = check(await instantiate_template.asyncio_detailed(stack.id, client=generator.api,
        body=TemplateInstantiationRequest(template_id=template.id, parameters={"name": "FROM-TPL", "keys": ["a", "b"]})), 201)
    assert "name: from-tpl" in rendered.yaml_content and 'b: "2"' in rendered.yaml_content, rendered.yaml_content
    print(f"template {template.id} rendered into deployment object {rendered.id}")

    # work orders: admin queues one for the agent, the agent claims and completes it, the log has it
    order = check(await create_work_order.asyncio_detailed(client=admin.api, body=CreateWorkOrderRequest(
        work_type="custom", yaml_content="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wo\n",
        targeting=WorkOrderTargeting(agent_ids=[agent_id]))), 201)
    pending = check(await list_pending_for_agent.asyncio_detailed(agent_id, client=agent_client.api), 200)
    assert any(o.id == order.id for o in pending), pending
    check(await claim_work_order.asyncio_detailed(order.id, client=agent_client.api,
        body=ClaimWorkOrderRequest(agent_id=agent_id)), 200)
    check(await complete_work_order.asyncio_detailed(order.id, client=agent_client.api,
        body=CompleteWorkOrderRequest(success=True, message="applied")), 200)
    entry = check(await get_work_order_log.asyncio_detailed(order.id, client=admin.api), 200)
    assert entry.success, entry
    print(f"work order {order.id} claimed, completed and logged")

    # health: the agent reports a degraded object; admin reads the object's and the stack's roll-up
    now = datetime.datetime.now(datetime.timezone.utc)
    check(await update_health_status.asyncio_detailed(agent_id, client=agent_client.api, body=HealthStatusUpdate(
        deployment_objects=[DeploymentObjectHealthUpdate(id=state[0].id, status="degraded", checked_at=now,
            summary=HealthSummary(pods_ready=0, pods_total=1, conditions=["CrashLoopBackOff"]))])), 200)
    health = check(await get_deployment_health.asyncio_detailed(state[0].id, client=admin.api), 200)
    assert health.overall_status == "degraded", health
    stack_health = check(await get_stack_health.asyncio_detailed(stack.id, client=admin.api), 200)
    assert stack_health.overall_status == "degraded", stack_health
    print(f"health: object and stack degraded")

    # diagnostics: admin asks, the agent claims and answers, admin reads the result
    diag = check(await create_diagnostic_request.asyncio_detailed(state[0].id, client=admin.api,
        body=CreateDiagnosticRequest(agent_id=agent_id, requested_by="sdk-smoke")), 201)
    pending_diags = check(await get_pending_diagnostics.asyncio_detailed(agent_id, client=agent_client.api), 200)
    assert any(d.id == diag.id for d in pending_diags), pending_diags
    check(await claim_diagnostic.asyncio_detailed(diag.id, client=agent_client.api), 200)
    check(await submit_diagnostic_result.asyncio_detailed(diag.id, client=agent_client.api, body=SubmitDiagnosticResult(
        pod_statuses="[]", events="[]", collected_at=now)), 201)
    answered = check(await get_diagnostic.asyncio_detailed(diag.id, client=admin.api), 200)
    assert answered.request.status == "completed", answered
    print(f"diagnostic {diag.id} answered")

    # webhooks: the event types, a subscription (URL never returned), its deliveries
    types = check(await list_event_types.asyncio_detailed(client=admin.api), 200)
    assert "deployment.applied" in types, types
    hook = check(await create_webhook.asyncio_detailed(client=admin.api, body=CreateWebhookRequest(
        name=f"sdk-hook-{run}", url="http://127.0.0.1:9/hook", event_types=["deployment.*"])), 201)
    check(await list_deliveries.asyncio_detailed(hook.id, client=admin.api), 200)
    print(f"webhook {hook.id} subscribed to deployment.* ({len(types)} event types known)")
    print("sdk smoke: ok")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
