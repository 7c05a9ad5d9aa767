"""Each failover and recovery of a stage, told to the call's records and to the caller's page."""

from pipecat.pipeline.worker import PipelineWorker

from processors.conversation_recorder import ConversationRecorder
from services.failover import FailoverMixin
from services.failover_replay import Switch


def report_switches(recorder: ConversationRecorder | None, worker: PipelineWorker, *stages):
    """Each failover and recovery of a stage goes into the call's records (when the
    `call_records` part is in use), and to the page as an RTVI server message; each turn's
    answering services go to the page too."""
    answered: dict[str, str] = {}
    for stage in stages:
        if not isinstance(stage, FailoverMixin):
            continue

        @stage.event_handler("on_switch")
        async def on_switch(stage, switch: Switch):
            if recorder is not None:
                recorder.record_switch(
                    stage=switch.stage,
                    kind=switch.kind,
                    from_service=switch.from_service,
                    to_service=switch.to_service,
                    reason=switch.reason,
                    duration_ms=round(switch.duration_secs * 1000),
                )
            await worker.rtvi.send_server_message(
                {
                    "type": "service-switch",
                    "stage": switch.stage,
                    "kind": switch.kind,
                    "from": switch.from_service,
                    "to": switch.to_service,
                }
            )

        @stage.event_handler("on_answered")
        async def on_answered(stage, name: str):
            if answered.get(stage.stage) != name:
                answered[stage.stage] = name
                await worker.rtvi.send_server_message({"type": "services", **answered})
