"""DNS records through the official SDK: paging, filters, every verb, export, and Cloudflare's rules."""

from __future__ import annotations

import cloudflare
import pytest


def test_auto_pager_lists_every_record_once(cf_api):
    client = cf_api.client()
    created = {client.dns.records.create(zone_id=cf_api.zone.id, type="A", name=f"h{i}",
                                         content=f"192.0.2.{i % 250 + 1}", ttl=1).id
               for i in range(130)}
    listed = [r.id for r in client.dns.records.list(zone_id=cf_api.zone.id, per_page=50)]
    assert len(listed) == len(set(listed)) == 130
    assert set(listed) == created
    page = client.dns.records.list(zone_id=cf_api.zone.id, per_page=50, page=3)
    assert page.result_info.total_count == 130 and page.result_info.count == 30
    assert client.dns.records.list(zone_id=cf_api.zone.id, per_page=50, page=4).result == []


def test_filters_by_exact_name_and_type(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    client.dns.records.create(zone_id=zone_id, type="A", name="@", content="192.0.2.1", ttl=1)
    client.dns.records.create(zone_id=zone_id, type="AAAA", name="acme.example", content="2001:db8::1", ttl=1)
    client.dns.records.create(zone_id=zone_id, type="A", name="api", content="192.0.2.2", ttl=1)
    apex = client.dns.records.list(zone_id=zone_id, name={"exact": "acme.example"})
    assert sorted(r.type for r in apex) == ["A", "AAAA"]
    only_a = client.dns.records.list(zone_id=zone_id, name={"exact": "acme.example"}, type="A")
    assert [r.content for r in only_a] == ["192.0.2.1"]
    plain = client.get("/zones/" + zone_id + "/dns_records", cast_to=object,
                       options={"params": {"name": "api.acme.example"}})
    assert [r["content"] for r in plain["result"]] == ["192.0.2.2"]


def test_create_get_update_edit_delete(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    record = client.dns.records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.1",
                                       ttl=300, proxied=True, comment="web")
    assert (record.name, record.proxied, record.ttl, record.proxiable) == ("www.acme.example", True, 300, True)
    assert client.dns.records.get(record.id, zone_id=zone_id).content == "192.0.2.1"
    replaced = client.dns.records.update(record.id, zone_id=zone_id, type="A", name="www",
                                         content="192.0.2.9", ttl=1)
    assert (replaced.content, replaced.proxied, replaced.comment) == ("192.0.2.9", False, None)
    edited = client.dns.records.edit(record.id, zone_id=zone_id, type="A", name="www", ttl=1, proxied=True)
    assert (edited.content, edited.proxied) == ("192.0.2.9", True)
    assert client.dns.records.delete(record.id, zone_id=zone_id).id == record.id
    with pytest.raises(cloudflare.NotFoundError) as caught:
        client.dns.records.get(record.id, zone_id=zone_id)
    assert caught.value.errors[0].code == 81044


def test_export_is_bind_text(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    client.dns.records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.1", ttl=1, proxied=True)
    client.dns.records.create(zone_id=zone_id, type="MX", name="@", content="mx.acme.example", priority=10, ttl=3600)
    client.dns.records.create(zone_id=zone_id, type="TXT", name="@", content="v=spf1 -all", ttl=1)
    text = client.dns.records.export(zone_id=zone_id)
    assert "www.acme.example.\t1\tIN\tA\t192.0.2.1 ; cf_tags=cf-proxied:true" in text
    assert "acme.example.\t3600\tIN\tMX\t10 mx.acme.example." in text
    assert 'acme.example.\t1\tIN\tTXT\t"v=spf1 -all"' in text
    assert "IN\tSOA\t" in text


@pytest.mark.parametrize(("fields", "code", "detail"), [
    ({"type": "A", "name": "www", "content": "not-an-ip"}, 1004, 9005),
    ({"type": "AAAA", "name": "www", "content": "192.0.2.1"}, 1004, 9006),
    ({"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 30}, 1004, 9021),
    ({"type": "TXT", "name": "www", "content": "x", "proxied": True}, 1004, 9004),
    ({"type": "A", "name": "www.other.example", "content": "192.0.2.1"}, 1004, 9007),
    ({"type": "SRV", "name": "www", "content": "x"}, 1004, 9000),
])
def test_invalid_records_are_refused(cf_api, fields, code, detail):
    with pytest.raises(cloudflare.BadRequestError) as caught:
        cf_api.client().dns.records.create(zone_id=cf_api.zone.id, ttl=fields.pop("ttl", 1), **fields)
    assert caught.value.errors[0].code == code
    assert caught.value.body["errors"][0]["error_chain"][0]["code"] == detail
    assert cf_api.zone.records == {}


def test_conflicts_use_cloudflares_codes(cf_api):
    client, zone_id = cf_api.client(), cf_api.zone.id
    a = client.dns.records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.1", ttl=1)
    client.dns.records.create(zone_id=zone_id, type="A", name="www", content="192.0.2.2", ttl=1)
    client.dns.records.create(zone_id=zone_id, type="TXT", name="app", content="hello", ttl=1)

    def code_of(call, **kw) -> int:
        with pytest.raises(cloudflare.BadRequestError) as caught:
            call(zone_id=zone_id, **kw)
        return caught.value.errors[0].code

    create = client.dns.records.create
    assert code_of(create, type="CNAME", name="www", content="acme.example", ttl=1) == 81053
    assert code_of(create, type="CNAME", name="app", content="acme.example", ttl=1) == 81054
    assert code_of(create, type="A", name="www", content="192.0.2.1", ttl=1) == 81057
    assert code_of(lambda **kw: client.dns.records.edit(a.id, **kw), type="A", name="www", ttl=1, content="192.0.2.2") == 81058
    assert code_of(lambda **kw: client.dns.records.edit(a.id, **kw), type="CNAME", name="www", ttl=1, content="x.example") == 1004


def test_unknown_zone_and_route(cf_api):
    client = cf_api.client()
    with pytest.raises(cloudflare.NotFoundError) as caught:
        client.dns.records.list(zone_id="0" * 32)
    assert caught.value.errors[0].code == 7003
    with pytest.raises(cloudflare.NotFoundError) as caught:
        client.get("/zones/" + cf_api.zone.id + "/nothing_here", cast_to=object)
    assert caught.value.errors[0].code == 7000
