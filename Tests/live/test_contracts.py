"""Contract tests for engines without a Debian binary: the emitted configuration is read the way
the engine's image reads it, by real parsers.

Kafka — apache/kafka 3.9: `/etc/kafka/docker/run` sources configureDefaults (CLUSTER_ID only)
and configure (a controller-only node must not have KAFKA_ADVERTISED_LISTENERS; with SSL://
listeners it requires keystore file names), then `KafkaDockerWrapper setup` writes
server.properties: one `key=value` line per `KAFKA_*` variable (except the JVM/log4j ones),
the key being the name without `KAFKA_`, lower-cased, `_`→`.`, then `...`→`-` and `..`→`_`;
the value is written as is. The emitted pods are started by the harness (kubelet env: fieldRefs,
Secrets; the emitted command's shell computes KAFKA_NODE_ID) with a `run` that
records its environment; the rule is replayed on it and the result loaded with `jproperties`.
Vault — `vault.hcl` from the ConfigMap the pods mount, parsed by python-hcl2.
ClickHouse — every ConfigMap fragment checked by xmllint.
"""
from __future__ import annotations

import base64
import io
import json
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
        # Every property comes from the emitted env or the command's KAFKA_NODE_ID (store pods set
        # enableServiceLinks: false, so the kubelet adds no KAFKA_PORT=tcp://… of the `kafka` Service).
        for variable in env:
            if variable.startswith("KAFKA_") and variable not in EXCLUDED:
                assert variable in emitted or variable == "KAFKA_NODE_ID", f"{name}: {variable} from nowhere"
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


def test_kafka_tls_reads_pem_files_with_a_pkcs8_key(cluster, tmp_path):
    """With TLS the key and certificates reach Kafka as files, never as values: the emitted
    command composes the PEM keystore (PKCS#8 key + chain) from the mounted Secret, and every
    KAFKA_* value stays on one line of server.properties. The cert-manager Certificate asks for
    PKCS#8, the only key encoding Kafka's PEM keystore reads."""
    from jproperties import Properties
    from harness.certificates import CertificateAuthority
    ca = CertificateAuthority(tmp_path / "ca")
    secret = ca.issue("kafka", [f"*.kafka-broker-headless.{NAMESPACE}.svc.{DOMAIN}", "localhost"])
    assert secret["tls.key"].startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as cert-manager writes with encoding PKCS8
    cluster.add_secret(NAMESPACE, "kafka-tls", secret)
    manifests = compile_spec(kafka_spec("controllers: 1, brokers: 1, tls: {issuer: ca, kind: Issuer}"), check=False)
    certificate = manifests.get("Certificate", NAMESPACE, "kafka-tls")
    assert certificate["spec"]["privateKey"]["encoding"] == "PKCS8"
    nodes = run_kafka_pods(cluster, manifests)
    for name, (pod, env, text) in nodes.items():
        properties = Properties()
        properties.load(io.BytesIO(text.encode()), "utf-8")
        parsed = {key: properties[key].data for key in properties}
        assert parsed["listener.security.protocol.map"] == "CONTROLLER:SSL,CLIENT:SSL,INTERNAL:SSL"
        assert parsed["ssl.keystore.type"] == "PEM" and parsed["ssl.truststore.type"] == "PEM"
        assert "ssl.keystore.key" not in parsed and "ssl.keystore.certificate.chain" not in parsed
        assert all("\n" not in value for key, value in env.items() if key.startswith("KAFKA_")), name
        keystore = pod.directory / "volumes" / "config" / parsed["ssl.keystore.location"].rsplit("/", 1)[1]
        text = keystore.read_text()
        assert text.startswith("-----BEGIN PRIVATE KEY-----") and "-----BEGIN CERTIFICATE-----" in text, text[:80]
        assert subprocess.run(["openssl", "pkey", "-noout"], input=text, text=True, capture_output=True).returncode == 0
        assert CertificateAuthority.serial(text.encode()) == CertificateAuthority.serial(secret["tls.crt"].encode())
        mounts = {m["name"]: m["mountPath"] for m in pod.main_container["volumeMounts"]}
        assert parsed["ssl.truststore.location"] == f"{mounts['tls']}/ca.crt"
        assert parsed["ssl.keystore.location"].startswith(mounts["config"] + "/")


def test_kafka_heap_follows_the_memory_limit_and_the_root_stays_read_only(cluster):
    """KAFKA_HEAP_OPTS is half the memory limit; the paths the image writes at start are volumes
    and the root filesystem is read-only (the harness mounts it so)."""
    manifests = compile_spec(kafka_spec("controllers: 1, brokers: 1, resources: {limits: {memory: 2Gi}}"), check=False)
    nodes = run_kafka_pods(cluster, manifests)
    for name, (pod, env, _) in nodes.items():
        assert env["KAFKA_HEAP_OPTS"] == "-Xms1024m -Xmx1024m", name
        container = pod.main_container
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/opt/kafka/config", "/opt/kafka/logs", "/tmp", "/var/lib/kafka/data"} <= mounts, mounts


def test_store_pods_get_no_service_link_variables(cluster):
    """enableServiceLinks: false on store pods: the apache/kafka image would turn the `kafka`
    Service's KAFKA_PORT=tcp://… into a `port=` line of server.properties."""
    manifests = compile_spec(kafka_spec("controllers: 1, brokers: 1"), check=False)
    nodes = run_kafka_pods(cluster, manifests)
    for name, (pod, env, text) in nodes.items():
        assert pod.template["spec"]["enableServiceLinks"] is False
        assert "KAFKA_PORT" not in env and "KAFKA_SERVICE_HOST" not in env, name
        assert "\nport=" not in text and "\nservice.host=" not in text


@pytest.mark.parametrize("tls", [False, True])
def test_clickhouse_credentials_reach_remote_servers_through_from_env(tls):
    """Every remote_servers replica and the interserver endpoint read the user the image creates
    from CLICKHOUSE_USER/CLICKHOUSE_PASSWORD (secretKeyRefs), through from_env: the XML holds no
    credential. `tls:` is refused with a located error (ClickHouse is emitted plaintext only)."""
    from harness import CompileError
    if tls:
        with pytest.raises(CompileError) as refused:
            compile_spec(clickhouse_spec(3, 1, 2).replace("credentials:", "tls: {issuer: ca}, credentials:"), check=False)
        assert "'tls' is not supported on clickhouse stores" in str(refused.value) and "live.cluster.yaml:" in str(refused.value)
        return
    manifests = compile_spec(clickhouse_spec(3, 2, 2), check=False)
    server = next(c["data"]["clusterspec.xml"] for c in manifests.of_kind("ConfigMap") if "clusterspec.xml" in (c.get("data") or {}))
    replicas = int(xpath(server, "count(//remote_servers/*/shard/replica)"))
    assert replicas == 4
    assert xpath(server, "count(//remote_servers/*/shard/replica/user[@from_env='CLICKHOUSE_USER'])") == str(replicas)
    assert xpath(server, "count(//remote_servers/*/shard/replica/password[@from_env='CLICKHOUSE_PASSWORD'])") == str(replicas)
    assert xpath(server, "string(//interserver_http_credentials/user/@from_env)") == "CLICKHOUSE_USER"
    assert xpath(server, "string(//interserver_http_credentials/password/@from_env)") == "CLICKHOUSE_PASSWORD"
    assert xpath(server, "count(//password[normalize-space(text()) != ''])") == "0", "a literal password in the XML"
    for statefulset in manifests.of_kind("StatefulSet"):
        if "keeper" in statefulset["metadata"]["name"]:
            continue
        env = {e["name"]: e for e in statefulset["spec"]["template"]["spec"]["containers"][0]["env"]}
        for variable, key in (("CLICKHOUSE_USER", "username"), ("CLICKHOUSE_PASSWORD", "password")):
            assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": "ch-creds", "key": key}


def test_clickhouse_keeper_follows_the_server_image():
    manifests = compile_spec(clickhouse_spec(3, 1, 2).replace("engine: clickhouse,", "engine: clickhouse, version: \"24.8\","), check=False)
    images = {s["metadata"]["name"]: s["spec"]["template"]["spec"]["containers"][0]["image"] for s in manifests.of_kind("StatefulSet")}
    assert images["ch-keeper"] == "clickhouse/clickhouse-keeper:24.8" and images["ch-shard1"] == "clickhouse/clickhouse-server:24.8"


def test_vault_reloads_its_listener_certificates_on_rotation(cluster, tmp_path):
    """With TLS the emitted Vault entrypoint watches the mounted certificate directory and sends
    the Vault process (PID 1) a SIGHUP when the kubelet swaps in a rotated Secret — Vault reloads
    its listener certificates on SIGHUP. Played by a stand-in that records the signal."""
    from harness.certificates import CertificateAuthority
    ca = CertificateAuthority(tmp_path / "ca")
    names = [f"*.vault-headless.{NAMESPACE}.svc.{DOMAIN}", "localhost"]
    cluster.add_secret(NAMESPACE, "vault-tls", ca.issue("vault", names))
    manifests = compile_spec(vault_spec(1, tls=True), check=False)
    cluster.load(manifests)
    pod = cluster.create_pod(NAMESPACE, "vault", 0)
    assert wait_until(lambda: "vault stand-in: started with: server" in pod.log()), pod.log()
    assert "SIGHUP" not in pod.log()
    assert cluster.update_secret(NAMESPACE, "vault-tls", ca.issue("vault", names)) == 1
    assert wait_until(lambda: "vault stand-in: SIGHUP" in pod.log(), timeout=30), pod.log()
    assert pod.running()
    container = pod.main_container
    assert "livenessProbe" in container, "an auto-unsealed Vault keeps its liveness probe"
    home = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/home/vault" in home and {e["name"]: e.get("value") for e in container["env"]}["HOME"] == "/home/vault"


def test_vault_with_a_shamir_seal_has_no_liveness_probe():
    """A liveness kill of a slow Vault pod leaves it sealed until someone unseals it by hand."""
    manifests = compile_spec(store_spec("live-vault", {"vault": "engine: vault, members: 3, tls: {issuer: ca, kind: Issuer}"}), check=False)
    container = manifests.statefulset(NAMESPACE, "vault")["spec"]["template"]["spec"]["containers"][0]
    assert "livenessProbe" not in container and "readinessProbe" in container


@pytest.mark.parametrize("value", ["pa$sword", "$HOME/x", "a$$b", 'quote " and \\ backslash'])
def test_vault_seal_values_read_back_verbatim(value):
    """A seal value reaches vault.hcl as a string HCL reads back as written: '$' stays literal
    (HCL1, which Vault parses, has no '$$' escape; in HCL2 a '$' not before '{' is literal too)."""
    import hcl2
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    spec = store_spec("live-vault", {"vault": f'engine: vault, members: 1, seal: {{type: transit, config: {{address: "{quoted}"}}}}'})
    manifests = compile_spec(spec, check=False)
    parsed = hcl2.loads(manifests.get("ConfigMap", NAMESPACE, "vault-config")["data"]["vault.hcl"])
    seal = parsed["seal"][0]
    # python-hcl2 returns a string's source text between the quotes, escapes unprocessed; HCL's
    # `\"` and `\\` escapes are JSON's, so a JSON decoder reads it as HCL does.
    assert json.loads(f'"{attribute(next(iter(seal.values()))["address"])}"') == value


def test_vault_refuses_template_sequences_in_seal_values():
    from harness import CompileError
    with pytest.raises(CompileError) as refused:
        compile_spec(store_spec("live-vault", {"vault": 'engine: vault, seal: {type: transit, config: {address: "${x}"}}'}), check=False)
    assert "contains '${' or '%{'" in str(refused.value)


def wait_until(condition, timeout: float = 20, interval: float = 0.2) -> bool:
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True
