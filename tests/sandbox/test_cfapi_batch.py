"""The DNS batch endpoint: order deletes, patches, puts, posts; all or nothing."""

from __future__ import annotations

import copy

import cloudflare
import pytest


def _seed(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    www = client.dns.records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.1", ttl=1)
    api = client.dns.records.create(zone_id=zone_id, type="A", name="api", content="192.0.2.2", ttl=1)
    txt = client.dns.records.create(zone_id=zone_id, type="TXT", name="@", content="hello", ttl=1)
    return client, zone_id, www, api, txt


def test_batch_runs_all_four_lists(cf_api):
    client, zone_id, www, api, txt = _seed(cf_api)
    result = client.dns.records.batch(
        zone_id=zone_id, deletes=[{"id": txt.id}],
        patches=[{"id": api.id, "type": "A", "name": "api", "ttl": 1, "proxied": True}],
        puts=[{"id": www.id, "type": "A", "name": "www", "content": "192.0.2.7", "ttl": 300}],
        posts=[{"type": "AAAA", "name": "www", "content": "2001:db8::7", "ttl": 1}])
    assert [r.id for r in result.deletes] == [txt.id]
    assert result.patches[0].proxied is True and result.patches[0].content == "192.0.2.2"
    assert (result.puts[0].content, result.puts[0].ttl) == ("192.0.2.7", 300)
    assert result.posts[0].type == "AAAA"
    assert sorted(r.type for r in client.dns.records.list(zone_id=zone_id)) == ["A", "A", "AAAA"]


def test_cname_replaces_a_in_one_batch(cf_api):
    client, zone_id, www, _, _ = _seed(cf_api)
    with pytest.raises(cloudflare.BadRequestError) as caught:
        client.dns.records.create(zone_id=zone_id, type="CNAME", name="www", content="acme.example", ttl=1)
    assert caught.value.errors[0].code == 81053
    result = client.dns.records.batch(zone_id=zone_id, deletes=[{"id": www.id}], posts=[
        {"type": "CNAME", "name": "www", "content": "acme.example", "ttl": 1, "proxied": True}])
    assert [r.type for r in client.dns.records.list(zone_id=zone_id, name={"exact": "www.acme.example"})] == ["CNAME"]
    assert result.posts[0].proxied is True


def test_a_failing_third_operation_leaves_the_zone_exactly_as_it_was(cf_api):
    client, zone_id, www, api, txt = _seed(cf_api)
    before = copy.deepcopy(cf_api.zone.records)
    with pytest.raises(cloudflare.BadRequestError) as caught:
        client.dns.records.batch(
            zone_id=zone_id, deletes=[{"id": txt.id}],
            patches=[{"id": api.id, "type": "A", "name": "api", "ttl": 1, "content": "192.0.2.9"}],
            posts=[{"type": "A", "name": "new", "content": "not-an-address", "ttl": 1}])
    assert caught.value.errors[0].code == 1004
    assert caught.value.errors[0].message.startswith("posts[0]: ")
    assert cf_api.zone.records == before
    assert {r.id for r in client.dns.records.list(zone_id=zone_id)} == {www.id, api.id, txt.id}


def test_batch_refers_to_unknown_record(cf_api):
    client, zone_id, *_ = _seed(cf_api)
    with pytest.raises(cloudflare.NotFoundError) as caught:
        client.dns.records.batch(zone_id=zone_id, deletes=[{"id": "f" * 32}])
    assert caught.value.errors[0].code == 81044
