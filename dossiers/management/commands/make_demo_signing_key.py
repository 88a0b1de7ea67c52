"""A self-signed key and certificate for signing e-documents in development
and demos (PAdES with pyHanko). Never for production: a real deployment uses
the key of a licensed Vietnamese CA (DOCUMENT_SIGNING_KEY/_CERT)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Tạo khóa và chứng thư tự ký (chỉ để minh họa) cho việc ký số văn bản điện tử."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "signing"))
        parser.add_argument("--force", action="store_true", help="Tạo lại kể cả khi đã có.")

    def handle(self, *args, **options) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        out = Path(options["out"])
        key_path, cert_path = out / "demo-signing-key.pem", out / "demo-signing-cert.pem"
        if key_path.exists() and cert_path.exists() and not options["force"]:
            self.stdout.write(f"{key_path}\n{cert_path}")
            return
        out.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cổng dịch vụ công liên thông (minh họa)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Liên thông – khóa ký thử nghiệm"),
        ])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(key, hashes.SHA256())
        )
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_path.chmod(0o600)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.stdout.write(f"{key_path}\n{cert_path}")
