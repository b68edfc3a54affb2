"""gRPC for Python (python3-grpcio) as a vendor syncing records and as a partner following its change
feed, over mutual TLS, each cut mid-stream and resumed; and both sides of a recall campaign: the group
body creating it and reading its progress, a garage following its notices and reporting each step.

Runs one case and prints one JSON object on stdout, as interop_client.py does:
  {"case": ..., "versions": {...}, "result": {...}}

Usage: interop_streams.py --target 127.0.0.1:PORT --ca ca.crt --cert c.crt --key c.key
                          --descriptors streams.pb --case sync|subscribe|recall_create|recall_follow|recall_progress --params JSON
"""

import argparse
import json
import queue
import threading

from interop_common import Messages, describe_code, read_bytes, signal_and_wait, versions
import grpc

CALL_TIMEOUT_SECONDS = 120
PURPOSE = "after-sales"


class Streams:
    """Generic calls on Records/Sync and Feed/Subscribe: method paths and serializers only."""

    def __init__(self, channel, m):
        self.sync = channel.stream_stream(
            "/exchange.v1.Records/Sync",
            request_serializer=m.SyncRequest.SerializeToString,
            response_deserializer=m.SyncResponse.FromString)
        self.subscribe = channel.unary_stream(
            "/exchange.v1.Feed/Subscribe",
            request_serializer=m.SubscribeRequest.SerializeToString,
            response_deserializer=m.FeedEvent.FromString)
        self.create_campaign = channel.unary_unary(
            "/exchange.v1.Recalls/CreateCampaign",
            request_serializer=m.CreateCampaignRequest.SerializeToString,
            response_deserializer=m.CampaignChange.FromString)
        self.get_progress = channel.unary_unary(
            "/exchange.v1.Recalls/GetProgress",
            request_serializer=m.GetProgressRequest.SerializeToString,
            response_deserializer=m.CampaignProgress.FromString)
        self.acknowledge = channel.unary_unary(
            "/exchange.v1.Recalls/AcknowledgeNotice",
            request_serializer=m.AcknowledgeNoticeRequest.SerializeToString,
            response_deserializer=m.AffectedVehicle.FromString)
        self.record_contact = channel.unary_unary(
            "/exchange.v1.Recalls/RecordContact",
            request_serializer=m.RecordContactRequest.SerializeToString,
            response_deserializer=m.AffectedVehicle.FromString)


def load_messages(path):
    messages = Messages(path)
    for name in ("SyncRequest", "SyncOpen", "SyncChange", "SyncResponse", "CustomerRecord", "CustomerContact",
                 "CustomerKey", "SubscribeRequest", "FeedEvent", "CreateCampaignRequest", "CampaignChange",
                 "CampaignDefinition", "ChassisRange", "Date", "GetProgressRequest", "CampaignProgress",
                 "AcknowledgeNoticeRequest", "RecordContactRequest", "AffectedVehicle", "VehicleKey"):
        setattr(messages, name, messages.message_class("exchange.v1." + name))
    return messages


def planned_changes(m, garages, count, prefix):
    """Change i (sequence i + 1), for garage i % len(garages): most create a record, every fifth from
    the fourth on corrects the record created two changes before it, every fifth from the fifth on
    deletes the one created four changes before it (same garage)."""
    changes, refs = [], []
    for i in range(count):
        garage = garages[i % len(garages)]
        kind = i % 5
        if kind == 3:
            ref, phone = refs[i - 2], "023-600-{0:04d}".format(i % 10000)
        elif kind == 4:
            ref = refs[i - 4]
        else:
            ref, phone = "{0}-{1:05d}".format(prefix, i), "023-672-0000"
        refs.append(ref)
        if kind == 4:
            change = m.SyncChange(sequence=i + 1, delete=m.CustomerKey(owner_party=garage, customer_ref=ref))
        else:
            record = m.CustomerRecord(
                owner_party=garage, customer_ref=ref,
                contact=m.CustomerContact(name="山田 太郎 " + ref, name_kana="ヤマダ タロウ", phone=phone))
            change = m.SyncChange(sequence=i + 1, upsert=record)
        changes.append((garage, ref, "delete" if kind == 4 else "upsert", change))
    return changes


class SyncStream:
    """One Sync call: sends changes from a window of at most `window` unacknowledged ones (the
    sender waits for acknowledgements, so nothing buffers without bound) and collects results."""

    def __init__(self, streams, m, open_request, window):
        self.outbox = queue.Queue()
        self.credit = threading.Semaphore(window)
        self.outbox.put(m.SyncRequest(open=open_request))
        self.call = streams.sync(self._requests(), timeout=CALL_TIMEOUT_SECONDS)
        self.opened = next(self.call).opened

    def _requests(self):
        while True:
            request = self.outbox.get()
            if request is None:
                return
            yield request

    def send_all(self, m, changes, on_ack, stop_after_acked=None):
        """Sends every change through the window; returns the last acknowledged sequence, or stops
        (returning it) once at least stop_after_acked are acknowledged, with more still in flight."""
        sender = threading.Thread(target=self._feed, args=(m, changes), daemon=True)
        sender.start()
        through = self.opened.acknowledged_sequence
        last = changes[-1][3].sequence if changes else through
        for response in self.call:
            ack = response.ack
            for result in ack.results:
                on_ack(result)
                self.credit.release()
            through = ack.through_sequence
            if stop_after_acked is not None and through >= stop_after_acked:
                return through
            if through >= last:
                break
        self.outbox.put(None)
        for _ in self.call:
            pass
        return through

    def _feed(self, m, changes):
        for _, _, _, change in changes:
            self.credit.acquire()
            self.outbox.put(m.SyncRequest(change=change))


def case_sync(channel_factory, m, params):
    garages, count = params["garages"], params["count"]
    changes = planned_changes(m, garages, count, params.get("prefix", "PY"))
    first_results, repeated = {}, []

    def on_ack(result):
        if result.sequence in first_results:
            repeated.append(result.sequence)
        else:
            first_results[result.sequence] = result

    # First connection: open a new sync, send, and close the channel while changes are in flight.
    channel = channel_factory()
    first = SyncStream(Streams(channel, m), m, m.SyncOpen(purpose=PURPOSE), params["window"])
    sync_id = first.opened.sync_id
    acked_before_cut = first.send_all(m, changes, on_ack, stop_after_acked=params["cut_after"])
    channel.close()
    cut_code = None
    try:
        for _ in first.call:
            pass
    except grpc.RpcError as error:
        cut_code = error.code().name

    # Resume on a new connection, and re-send every change whose acknowledgement this side did not
    # see (the hub may have stored some before the cut) and a few more it saw, then the rest. The
    # cut stream may still commit a group it had taken after the resume learnt its sequence: the
    # hub then ends the resumed stream with ABORTED, and the vendor resumes again.
    resent, resumes = {}, []
    while True:
        acked_seen = max(list(first_results) + list(resent) + [acked_before_cut])
        channel = channel_factory()
        try:
            second = SyncStream(Streams(channel, m), m, m.SyncOpen(sync_id=sync_id, purpose=PURPOSE), params["window"])
            resumed_at = second.opened.acknowledged_sequence
            resumes.append(resumed_at)

            def on_resumed_ack(result, resumed_at=resumed_at):
                if result.sequence <= resumed_at:
                    resent[result.sequence] = result
                else:
                    on_ack(result)

            final = second.send_all(m, changes[max(0, min(acked_seen, resumed_at) - params["resend"]):], on_resumed_ack)
            break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.ABORTED or len(resumes) >= 5:
                raise
        finally:
            channel.close()

    outcome_names = m.pool.FindEnumTypeByName("exchange.v1.SyncOutcome").values_by_number
    outcomes = {}
    for result in first_results.values():
        name = outcome_names[result.outcome].name
        outcomes[name] = outcomes.get(name, 0) + 1
    refused = [{"sequence": r.sequence, "code": r.code, "message": r.message, "rule": r.rule}
               for r in first_results.values() if r.code != 0][:5]
    result = describe_code(grpc.StatusCode.OK)
    result.update({
        "sync_id": sync_id,
        "acked_before_cut": acked_before_cut,
        "cut_code": cut_code,
        "resumed_acknowledged_sequence": resumes[0],
        "resumes": resumes,
        "final_through_sequence": final,
        # Changes the hub stored before the cut but whose acknowledgement the cut lost come back as re-sends.
        "acknowledged": sorted(set(first_results) | set(resent)),
        "repeated_acknowledgements": len(repeated),
        "outcomes": outcomes,
        "refused": refused,
        "resent": len(resent),
        "resent_outcomes": sorted({outcome_names[r.outcome].name for r in resent.values()}),
        "live": sorted("{0}/{1}".format(g, ref) for g, ref in live_records(changes)),
    })
    return result


def live_records(changes):
    live = set()
    for garage, ref, kind, _ in changes:
        if kind == "delete":
            live.discard((garage, ref))
        else:
            live.add((garage, ref))
    return live


def read_events(streams, m, request, wanted, into):
    """Reads until `wanted` events more are in `into` (a list of (sequence, customer_ref))."""
    call = streams.subscribe(request, timeout=CALL_TIMEOUT_SECONDS)
    target = len(into) + wanted
    for event in call:
        into.append((event.sequence, event.WhichOneof("event"), event.record_changed_by_vendor.customer_ref))
        if len(into) >= target:
            break
    return call


def case_subscribe(channel_factory, m, params):
    """Reads `first` events from the earliest, drops the connection, signals the test (which stores
    more events meanwhile), then resubscribes after the last sequence read and reads the rest."""
    events = []
    channel = channel_factory()
    call = read_events(Streams(channel, m), m, m.SubscribeRequest(from_earliest=True), params["first"], events)
    channel.close()
    dropped_code = None
    try:
        for _ in call:
            pass
    except grpc.RpcError as error:
        dropped_code = error.code().name

    signal_and_wait(params["ready_file"], params["go_file"], "stored more events", CALL_TIMEOUT_SECONDS)

    channel = channel_factory()
    call = read_events(Streams(channel, m), m, m.SubscribeRequest(after_sequence=events[-1][0]), params["total"] - len(events), events)
    call.cancel()
    channel.close()
    result = describe_code(grpc.StatusCode.OK)
    result.update({
        "dropped_code": dropped_code,
        "sequences": [sequence for sequence, _, _ in events],
        "kinds": sorted({kind for _, kind, _ in events}),
        "refs": [ref for _, _, ref in events],
    })
    return result


def case_recall_create(channel_factory, m, params):
    """As the group body: registers a campaign over one chassis range of a frame."""
    definition = m.CampaignDefinition(
        recall_number=params["recall_number"], manufacturer="トヨタ自動車株式会社", model_codes=["DAA-ZVW30"],
        chassis_ranges=[m.ChassisRange(frame_prefix=params["frame"], serial_from=params["from"], serial_to=params["to"])],
        description_ja="ブレーキの不具合", remedy_ja="部品を交換します", starts_on=m.Date(year=2026, month=12, day=1))
    channel = channel_factory()
    change = Streams(channel, m).create_campaign(m.CreateCampaignRequest(campaign=definition), timeout=CALL_TIMEOUT_SECONDS)
    channel.close()
    result = describe_code(grpc.StatusCode.OK)
    result.update({"version": change.campaign.version, "newly_affected": change.newly_affected,
                   "ranges": [[r.frame_prefix, r.serial_from, r.serial_to] for r in change.campaign.definition.chassis_ranges]})
    return result


def case_recall_follow(channel_factory, m, params):
    """As a garage: reads `count` recall notices from its feed, acknowledges each and records a letter
    sent for each; reports what each notice carried."""
    channel = channel_factory()
    streams = Streams(channel, m)
    call = streams.subscribe(m.SubscribeRequest(from_earliest=True), timeout=CALL_TIMEOUT_SECONDS)
    notices = []
    for event in call:
        if event.WhichOneof("event") != "recall_notice":
            continue
        notice = event.recall_notice
        key = notice.vehicle
        streams.acknowledge(m.AcknowledgeNoticeRequest(recall_number=notice.campaign.definition.recall_number, vehicle=key),
                            timeout=CALL_TIMEOUT_SECONDS)
        step = streams.record_contact(m.RecordContactRequest(
            recall_number=notice.campaign.definition.recall_number, vehicle=key,
            contacted_on=m.Date(year=2026, month=12, day=5), method=1), timeout=CALL_TIMEOUT_SECONDS)
        contact = notice.record.contact
        notices.append({
            "recall_number": notice.campaign.definition.recall_number,
            "customer_ref": key.customer_ref,
            "vehicle_ref": key.vehicle_ref,
            "items": sorted(notice.items),
            "has_name": bool(contact.name),
            "has_phone": bool(contact.phone),
            "has_birth_date": contact.HasField("birth_date"),
            "vehicles": [v.inspection_certificate.chassis_number for v in notice.record.vehicles],
            "repairs": len(notice.record.repairs),
            "step_after_contact": step.step,
        })
        if len(notices) >= params["count"]:
            break
    call.cancel()
    channel.close()
    result = describe_code(grpc.StatusCode.OK)
    result["notices"] = notices
    return result


def case_recall_progress(channel_factory, m, params):
    """As the group body: the campaign's counts by garage and in total."""
    channel = channel_factory()
    progress = Streams(channel, m).get_progress(m.GetProgressRequest(recall_number=params["recall_number"]), timeout=CALL_TIMEOUT_SECONDS)
    channel.close()
    counts = lambda c: [c.affected, c.notified, c.acknowledged, c.contacted, c.repaired]
    result = describe_code(grpc.StatusCode.OK)
    result.update({"total": counts(progress.total), "garages": {g.garage_party: counts(g.counts) for g in progress.garages}})
    return result


CASES = {"sync": case_sync, "subscribe": case_subscribe, "recall_create": case_recall_create,
         "recall_follow": case_recall_follow, "recall_progress": case_recall_progress}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--descriptors", required=True)
    parser.add_argument("--case", required=True, choices=sorted(CASES))
    parser.add_argument("--params", default="{}")
    args = parser.parse_args()

    messages = load_messages(args.descriptors)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read_bytes(args.ca), private_key=read_bytes(args.key), certificate_chain=read_bytes(args.cert))
    # Each channel its own connection: closing one must cut its calls, not share a subchannel.
    options = [("grpc.enable_http_proxy", 0), ("grpc.use_local_subchannel_pool", 1)]

    def channel_factory():
        return grpc.secure_channel(args.target, credentials, options=options)

    try:
        result = CASES[args.case](channel_factory, messages, json.loads(args.params))
    except grpc.RpcError as error:
        result = describe_code(error.code())
        result["details"] = error.details()
    print(json.dumps({"case": args.case, "versions": versions(), "result": result}, sort_keys=True, ensure_ascii=True), flush=True)


if __name__ == "__main__":
    main()
