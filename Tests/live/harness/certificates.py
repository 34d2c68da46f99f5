"""Test certificates made with Debian's openssl: a CA and leaf certificates signed by it, with
PKCS#8 keys (what cert-manager writes with `privateKey.encoding: PKCS8`). What cert-manager would
put in a `kubernetes.io/tls` Secret: `tls.crt`, `tls.key`, `ca.crt`."""
from __future__ import annotations

import subprocess
from pathlib import Path


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class CertificateAuthority:
    def __init__(self, directory: Path, name: str = "clusterspec live test CA"):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.issued = 0
        _run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key", cwd=self.directory)
        _run("req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "2", "-subj", f"/CN={name}", "-out", "ca.crt", cwd=self.directory)

    @property
    def certificate(self) -> str:
        return (self.directory / "ca.crt").read_text()

    def issue(self, common_name: str, dns: list[str] = (), ips: list[str] = (), usages: tuple[str, ...] = ("serverAuth", "clientAuth")) -> dict[str, str]:
        """A leaf certificate (for servers and clients unless `usages` says otherwise), as Secret data."""
        self.issued += 1
        stem = f"leaf-{self.issued}"
        sans = ",".join([f"DNS:{name}" for name in dns] + [f"IP:{ip}" for ip in ips])
        (self.directory / f"{stem}.ext").write_text(
            (f"subjectAltName={sans}\n" if sans else "") + f"extendedKeyUsage={','.join(usages)}\nkeyUsage=digitalSignature,keyEncipherment\n")
        _run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{stem}.key", cwd=self.directory)
        _run("req", "-new", "-key", f"{stem}.key", "-subj", f"/CN={common_name}", "-out", f"{stem}.csr", cwd=self.directory)
        _run("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-sha256",
             "-extfile", f"{stem}.ext", "-out", f"{stem}.crt", cwd=self.directory)
        return {"tls.crt": (self.directory / f"{stem}.crt").read_text(), "tls.key": (self.directory / f"{stem}.key").read_text(),
                "ca.crt": self.certificate}

    def issue_for(self, certificate: dict) -> dict[str, str]:
        """What cert-manager puts in the Secret of an emitted Certificate: its names, IPs and usages."""
        spec = certificate["spec"]
        usages = {"server auth": "serverAuth", "client auth": "clientAuth"}
        return self.issue(spec.get("commonName", certificate["metadata"]["name"]), spec.get("dnsNames", []), spec.get("ipAddresses", []),
                          tuple(usages[u] for u in spec["usages"] if u in usages))

    @staticmethod
    def serial(pem_or_der: bytes, der: bool = False) -> str:
        result = subprocess.run(["openssl", "x509", "-noout", "-serial", *(["-inform", "DER"] if der else [])], input=pem_or_der,
                                capture_output=True, check=True, timeout=30)
        return result.stdout.decode().strip().split("=", 1)[1]
