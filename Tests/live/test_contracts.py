"""Contract tests for engines without a Debian binary: the emitted configuration is read the way
the engine's image reads it, by real parsers.

Kafka — apache/kafka 3.9: `/etc/kafka/docker/run` sources configureDefaults (CLUSTER_ID only)
and configure (a controller-only node must not have KAFKA_ADVERTISED_LISTENERS; with SSL://
listeners it requires keystore file names), then `KafkaDockerWrapper setup` writes
server.properties: one `key=value` line per `KAFKA_*` variable (except the JVM/log4j ones),
the key being the name without `KAFKA_`, lower-cased, `_`→`.`, then `...`→`-` and `..`→`_`;
the value is written as is. The emitted pods are started by the harness (kubelet env: fieldRefs,
Secrets, Service links; the emitted command's shell computes KAFKA_NODE_ID) with a `run` that
records its environment; the rule is replayed on it and the result loaded with `jproperties`.
Vault — `vault.hcl` from the ConfigMap the pods mount, parsed by python-hcl2.
ClickHouse — every ConfigMap fragment checked by xmllint.
"""
from __future__ import annotations

import base64
import io
import subprocess

import pytest

from harness import compile_spec
from harness.images import ENVIRON_BEGIN, ENVIRON_END
from specs import DOMAIN, NAMESPACE, store_spec

EXCLUDED = {"KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
            "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL", "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME"}


def property_name(variable: str) -> str:
    return variable.replace("KAFKA_", "").lower().replace("_", ".").replace("...", "-").replace("..", "_")


class ConfigureExit(Exception):
    pass


def image_server_properties(env: dict[str, str]) -> str:
    """The image's configure checks and server.properties rendering, on the container's env."""
    env = dict(env)
    if not env.get("CLUSTER_ID"):
        env["CLUSTER_ID"] = "5L6g3nShT-eMCtK--X86sw"
    if env.get("KAFKA_PROCESS_ROLES"):
        if env["KAFKA_PROCESS_ROLES"] == "controller":
            if env.get("KAFKA_ADVERTISED_LISTENERS"):
                raise ConfigureExit("KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.")
            env.pop("KAFKA_ADVERTISED_LISTENERS", None)
    if not env.get("KAFKA_LISTENERS") and env.get("KAFKA_PROCESS_ROLES") != "controller" and env.get("KAFKA_ADVERTISED_LISTENERS"):
        raise ConfigureExit("KAFKA_LISTENERS would be derived from KAFKA_ADVERTISED_LISTENERS (not expected from clusterspec)")
    if "SSL://" in env.get("KAFKA_ADVERTISED_LISTENERS", "") and not env.get("KAFKA_SSL_KEYSTORE_FILENAME"):
        raise ConfigureExit("KAFKA_SSL_KEYSTORE_FILENAME environment variable not set")
    lines = [f"{property_name(key)}={value}" for key, value in env.items() if key.startswith("KAFKA_") and key not in EXCLUDED]
    return "\n" + "\n".join(lines)


def kafka_spec(layout: str) -> str:
    return store_spec("live-kafka", {"kafka": f"engine: kafka, {layout}"})


def recorded_environment(pod) -> dict[str, str]:
    log = pod.log()
    assert ENVIRON_BEGIN in log, f"{pod.name}: the emitted command never reached /etc/kafka/docker/run:\n{log}"
    encoded = log.split(ENVIRON_BEGIN, 1)[1].split(ENVIRON_END, 1)[0].strip()
    entries = base64.b64decode(encoded).split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if entry)


def run_kafka_pods(cluster, manifests):
    cluster.load(manifests)
    nodes = {}
    for statefulset in manifests.of_kind("StatefulSet"):
        for ordinal in range(statefulset["spec"]["replicas"]):
            pod = cluster.create_pod(NAMESPACE, statefulset["metadata"]["name"], ordinal)
            assert cluster.wait_exit(pod, timeout=30) == 0, pod.log()
            env = recorded_environment(pod)
            nodes[pod.name] = (pod, env, image_server_properties(env))
    return nodes


@pytest.mark.parametrize("layout, controllers, brokers", [
    ("controllers: 1, brokers: 1", 1, 1),
    ("controllers: 3, brokers: 3", 3, 3),
    ("controllers: 5, brokers: 3", 5, 3),
    ("combined: 3", 3, 0),
])
def test_kafka_env_becomes_valid_server_properties(cluster, layout, controllers, brokers):
    from jproperties import Properties
    nodes = run_kafka_pods(cluster, compile_spec(kafka_spec(layout), check=False))
    combined = brokers == 0
    controller_set = "kafka" if combined else "kafka-controller"
    voters_expected = ",".join(f"{i}@{controller_set}-{i}.{controller_set}-headless.{NAMESPACE}.svc.{DOMAIN}:9093" for i in range(controllers))
    cluster_ids, voters = set(), set()
    for name, (pod, env, text) in nodes.items():
        properties = Properties()
        properties.load(io.BytesIO(text.encode()), "utf-8")
        parsed = {key: properties[key].data for key in properties}
        emitted = {e["name"] for e in pod.main_container.get("env", [])}
        for key, value in env.items():
            if not key.startswith("KAFKA_") or key in EXCLUDED:
                continue
            assert "\n" not in value and "\r" not in value, f"{name}: {key} is multi-line and would be cut in server.properties"
            assert parsed.get(property_name(key)) == value, f"{name}: {key} does not survive as {property_name(key)}"
        mapped = [property_name(k) for k in env if k.startswith("KAFKA_") and k not in EXCLUDED]
        assert len(mapped) == len(set(mapped)), f"{name}: two variables write the same property"
        # Every property comes from the emitted env, the command's KAFKA_NODE_ID, or the kubelet's
        # Service links (enableServiceLinks defaults to true: the `kafka` Service's KAFKA_PORT
        # becomes `port=tcp://…`, KAFKA_SERVICE_HOST `service.host=…`; Kafka ignores them).
        links = set(cluster.service_links(NAMESPACE))
        for variable in env:
            if variable.startswith("KAFKA_") and variable not in EXCLUDED:
                assert variable in emitted or variable == "KAFKA_NODE_ID" or variable in links, f"{name}: {variable} from nowhere"
        ordinal = int(name.rsplit("-", 1)[1])
        role_is_controller = name.startswith("kafka-controller")
        base = 0 if combined or role_is_controller else 100
        assert parsed["node.id"] == str(base + ordinal)
        assert parsed["process.roles"] == ("broker,controller" if combined else "controller" if role_is_controller else "broker")
        assert parsed["controller.listener.names"] == "CONTROLLER"
        assert parsed["log.dirs"].startswith("/var/lib/kafka/data")
        mounts = {m["mountPath"] for m in pod.main_container["volumeMounts"]}
        assert any(parsed["log.dirs"].startswith(path) for path in mounts), "log.dirs is not on the volume"
        fqdn = f"{name}.{pod.subdomain}.{NAMESPACE}.svc.{DOMAIN}"
        if role_is_controller:
            assert "advertised.listeners" not in parsed
        else:
            assert all(entry.split("://")[1].rsplit(":", 1)[0] == fqdn for entry in parsed["advertised.listeners"].split(","))
        voters.add(parsed["controller.quorum.voters"])
        cluster_ids.add(env["CLUSTER_ID"])
        assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in emitted
    assert voters == {voters_expected}, "controller.quorum.voters differs between nodes or from the controller pods"
    assert len(cluster_ids) == 1 and len(next(iter(cluster_ids))) == 22, cluster_ids
    broker_ids = {int(props.split("node.id=")[1].split("\n")[0]) for name, (_, _, props) in nodes.items() if "broker" in name}
    voter_ids = {int(v.split("@")[0]) for v in voters_expected.split(",")}
    assert not broker_ids & voter_ids, "a broker id is also a voter"


def test_kafka_configure_rule_catches_what_it_should():
    """The replay is not a rubber stamp: the image's failures and cut lines are caught."""
    from jproperties import Properties
    with pytest.raises(ConfigureExit):
        image_server_properties({"CLUSTER_ID": "x", "KAFKA_PROCESS_ROLES": "controller", "KAFKA_ADVERTISED_LISTENERS": "C://h:1"})
    with pytest.raises(ConfigureExit):
        image_server_properties({"CLUSTER_ID": "x", "KAFKA_PROCESS_ROLES": "broker", "KAFKA_LISTENERS": "SSL://:1",
                                 "KAFKA_ADVERTISED_LISTENERS": "SSL://h:1"})
    properties = Properties()
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    properties.load(io.BytesIO(image_server_properties({"KAFKA_SSL_KEYSTORE_KEY": pem}).encode()), "utf-8")
    assert properties["ssl.keystore.key"].data != pem
    assert property_name("KAFKA_LOG_DIRS") == "log.dirs"
    assert property_name("KAFKA_LISTENER_NAME_CLIENT_SSL__X___Y") == "listener.name.client.ssl_x-y"


def vault_spec(members: int, tls: bool) -> str:
    tls_setting = ", tls: {issuer: ca, kind: Issuer}" if tls else ""
    seal = "seal: {type: awskms, config: {region: eu-west-1, kms_key_id: alias/vault}}"
    return store_spec("live-vault", {"vault": f"engine: vault, members: {members}{tls_setting}, {seal}"})


@pytest.mark.parametrize("members", [1, 3, 5])
@pytest.mark.parametrize("tls", [False, True])
def test_vault_hcl_has_one_retry_join_per_member_inside_raft(members, tls):
    import hcl2
    manifests = compile_spec(vault_spec(members, tls), check=False)
    statefulset = manifests.statefulset(NAMESPACE, "vault")
    template = statefulset["spec"]["template"]["spec"]
    config_volume = next(v for v in template["volumes"] if "configMap" in v)
    mount = next(m for m in template["containers"][0]["volumeMounts"] if m["name"] == config_volume["name"])
    configmap = manifests.get("ConfigMap", NAMESPACE, config_volume["configMap"]["name"])
    assert mount["mountPath"] == "/vault/config" and "vault.hcl" in configmap["data"]
    parsed = hcl2.loads(configmap["data"]["vault.hcl"])
    assert "retry_join" not in parsed, "a top-level retry_join is ignored by Vault"
    storage = parsed["storage"]
    assert len(storage) == 1 and [label.strip('"') for label in storage[0]] == ["raft"], storage
    raft = next(iter(storage[0].values()))
    joins = raft["retry_join"]
    scheme = "https" if tls else "http"
    expected = [f"{scheme}://vault-{i}.vault-headless.{NAMESPACE}.svc.{DOMAIN}:8200" for i in range(members)]
    assert [attribute(join["leader_api_addr"]) for join in joins] == expected
    assert attribute(raft["path"]) == next(m["mountPath"] for m in template["containers"][0]["volumeMounts"] if m["name"] == "data")
    assert attribute(parsed["disable_mlock"]) is True
    listener = next(iter(parsed["listener"][0].values()))
    assert ("tls_disable" in listener) != tls
    if tls:
        assert all(attribute(join["leader_ca_cert_file"]).startswith("/vault/tls/") for join in joins)


def attribute(value):
    """An HCL attribute's value (python-hcl2 wraps each in a one-element list)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def clickhouse_spec(keepers: int, shards: int, replicas: int) -> str:
    body = f"engine: clickhouse, shards: {shards}, replicas: {replicas}, keeper: {{members: {keepers}}}, credentials: {{secret: ch-creds}}"
    return store_spec("live-clickhouse", {"ch": body}, secrets={"ch-creds": ["username", "password"]})


def xpath(text: str, expression: str) -> str:
    result = subprocess.run(["xmllint", "--xpath", expression, "-"], input=text, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("keepers, shards, replicas", [(1, 1, 2), (3, 2, 2), (5, 1, 3)])
def test_clickhouse_fragments_are_well_formed_xml(keepers, shards, replicas):
    manifests = compile_spec(clickhouse_spec(keepers, shards, replicas), check=False)
    fragments = {(c["metadata"]["name"], key): value for c in manifests.of_kind("ConfigMap")
                 for key, value in (c.get("data") or {}).items() if key.endswith(".xml")}
    assert len(fragments) >= 2, fragments.keys()
    for (configmap, key), text in fragments.items():
        lint = subprocess.run(["xmllint", "--noout", "-"], input=text, capture_output=True, text=True)
        assert lint.returncode == 0, f"{configmap}/{key} is not well-formed XML:\n{lint.stderr}"
    keeper = next(text for (name, key), text in fragments.items() if "keeper" in key)
    assert xpath(keeper, "count(//raft_configuration/server)") == str(keepers)
    hosts = [xpath(keeper, f"string(//raft_configuration/server[{i + 1}]/hostname)") for i in range(keepers)]
    assert hosts == [f"ch-keeper-{i}.ch-keeper-headless.{NAMESPACE}.svc.{DOMAIN}" for i in range(keepers)]
    server = next(text for (name, key), text in fragments.items() if "keeper" not in key)
    assert xpath(server, "count(//zookeeper/node)") == str(keepers)
    assert xpath(server, "count(//remote_servers/*/shard)") == str(shards)
    assert xpath(server, "count(//remote_servers/*/shard/replica)") == str(shards * replicas)
