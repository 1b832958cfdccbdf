"""The templates a fresh sandbox WABA owns: realistic, multilingual, every status and shape.

Ids are fixed so tests and demos may refer to them. Every component shape the send checks know
appears at least once: TEXT/IMAGE/DOCUMENT/VIDEO/LOCATION headers, positional and NAMED
(`seasonal_promo`, §11.6) body variables, footers, and QUICK_REPLY / URL (static and dynamic) /
PHONE_NUMBER / COPY_CODE buttons.
"""

from __future__ import annotations

import copy
from typing import Any

QUALITY_DATE = 1750000000


def _tpl(
    seq: int,
    name: str,
    language: str,
    category: str,
    components: list[dict[str, Any]],
    *,
    status: str = "APPROVED",
    score: str = "GREEN",
    rejected_reason: str = "NONE",
    parameter_format: str = "POSITIONAL",
) -> dict[str, Any]:
    return {
        "id": f"9200703526461{seq:02d}",
        "name": name,
        "language": language,
        "status": status,
        "category": category,
        "parameter_format": parameter_format,
        "quality_score": {"score": score, "date": QUALITY_DATE},
        "rejected_reason": rejected_reason,
        "components": components,
    }


def _body(text: str, *examples: str) -> dict[str, Any]:
    component: dict[str, Any] = {"type": "BODY", "text": text}
    if examples:
        component["example"] = {"body_text": [list(examples)]}
    return component


def _named_body(text: str, **examples: str) -> dict[str, Any]:
    """A NAMED body: `{{first_name}}` placeholders, examples as `body_text_named_params`."""
    named = [{"param_name": name, "example": value} for name, value in examples.items()]
    return {"type": "BODY", "text": text, "example": {"body_text_named_params": named}}


def _text_header(text: str, *examples: str) -> dict[str, Any]:
    component: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": text}
    if examples:
        component["example"] = {"header_text": list(examples)}
    return component


def _media_header(fmt: str) -> dict[str, Any]:
    handle = f"4::aW1hZ2UvanBlZw==:ARZ-sandbox-{fmt.lower()}-example"
    return {"type": "HEADER", "format": fmt, "example": {"header_handle": [handle]}}


def _footer(text: str) -> dict[str, Any]:
    return {"type": "FOOTER", "text": text}


def _buttons(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": list(buttons)}


def _quick(text: str) -> dict[str, Any]:
    return {"type": "QUICK_REPLY", "text": text}


def _url(text: str, url: str, example: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "URL", "text": text, "url": url}
    if example is not None:
        button["example"] = [example]
    return button


_TRACK = "https://shop.example.com/track/{{1}}"
_OTP_URL = "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}"

# The table of seeded templates, built once; `seed_templates()` hands out copies.
_SEEDED: list[dict[str, Any]] = [
    _tpl(
        1,
        "hello_world",
        "en_US",
        "UTILITY",
        [
            _text_header("Hello World"),
            _body(
                "Welcome and congratulations!! This message demonstrates your ability to send "
                "a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you "
                "for taking the time to test with us."
            ),
            _footer("WhatsApp Business Platform sample message"),
        ],
    ),
    _tpl(
        2,
        "order_update",
        "en_US",
        "UTILITY",
        [
            _text_header("Order {{1}}", "#42"),
            _body(
                "Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}.",
                "Ana",
                "#42",
                "March 3",
            ),
            _footer("Reply STOP to opt out"),
            _buttons(
                _url("Track order", _TRACK, "https://shop.example.com/track/42"),
                _quick("Talk to support"),
            ),
        ],
    ),
    _tpl(
        3,
        "order_update",
        "pt_BR",
        "UTILITY",
        [
            _text_header("Pedido {{1}}", "#42"),
            _body(
                "Olá {{1}}, seu pedido {{2}} foi enviado e chega em {{3}}.",
                "Ana",
                "#42",
                "3 de março",
            ),
            _footer("Responda SAIR para não receber mais"),
            _buttons(
                _url("Rastrear pedido", _TRACK, "https://shop.example.com/track/42"),
                _quick("Falar com suporte"),
            ),
        ],
    ),
    _tpl(
        4,
        "order_update",
        "es",
        "UTILITY",
        [
            _text_header("Pedido {{1}}", "#42"),
            _body(
                "Hola {{1}}, tu pedido {{2}} fue enviado y llegará el {{3}}.",
                "Ana",
                "#42",
                "3 de marzo",
            ),
            _buttons(
                _url("Seguir pedido", _TRACK, "https://shop.example.com/track/42"),
                _quick("Hablar con soporte"),
            ),
        ],
    ),
    _tpl(
        5,
        "invoice_ready",
        "en_US",
        "UTILITY",
        [
            _media_header("DOCUMENT"),
            _body(
                "Hi {{1}}, the invoice for order {{2}} is attached. Total due: {{3}}.",
                "Ana",
                "#42",
                "$10.99",
            ),
            _footer("Questions? Call us"),
            _buttons(
                {"type": "PHONE_NUMBER", "text": "Call support", "phone_number": "+15550783881"}
            ),
        ],
    ),
    _tpl(
        6,
        "seasonal_promo",
        "en_US",
        "MARKETING",
        [
            _media_header("IMAGE"),
            _named_body(
                "Hi {{first_name}}! Our {{sale_name}} sale is on: {{discount}} off everything "
                "until {{end_date}}.",
                first_name="Ana",
                sale_name="summer",
                discount="30%",
                end_date="Sunday",
            ),
            _footer("Tap Stop promotions to opt out"),
            _buttons(_quick("Shop now"), _quick("Stop promotions")),
        ],
        score="YELLOW",
        parameter_format="NAMED",
    ),
    _tpl(
        7,
        "cupom_desconto",
        "pt_BR",
        "MARKETING",
        [
            _body("Olá {{1}}! Use o cupom abaixo e ganhe {{2}} de desconto.", "Ana", "20%"),
            _buttons(
                {"type": "COPY_CODE", "text": "Copiar código", "example": ["SAVE20"]},
                _url("Ver loja", "https://shop.example.com/"),
            ),
        ],
    ),
    _tpl(
        8,
        "new_arrivals_video",
        "en_US",
        "MARKETING",
        [
            _media_header("VIDEO"),
            _body("{{1}}, see our new {{2}} collection in action.", "Ana", "autumn"),
            _buttons(_url("Learn more", "https://shop.example.com/new")),
        ],
    ),
    _tpl(
        9,
        "pickup_ready",
        "es",
        "UTILITY",
        [
            {"type": "HEADER", "format": "LOCATION"},
            _body("Hola {{1}}, tu pedido {{2}} está listo para recoger.", "Ana", "#42"),
            _footer("Horario: 9 a 18 h"),
        ],
    ),
    _tpl(
        10,
        "verification_code",
        "en_US",
        "AUTHENTICATION",
        [
            _body(
                "*{{1}}* is your verification code. For your security, do not share this code.",
                "123456",
            ),
            _footer("This code expires in 10 minutes."),
            _buttons(
                _url(
                    "Copy code",
                    _OTP_URL,
                    "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp123456",
                )
            ),
        ],
    ),
    _tpl(
        11,
        "verification_code",
        "pt_BR",
        "AUTHENTICATION",
        [
            _body(
                "*{{1}}* é seu código de verificação. Para sua segurança, não o compartilhe.",
                "123456",
            ),
            _footer("Este código expira em 10 minutos."),
            _buttons(
                _url(
                    "Copiar código",
                    _OTP_URL,
                    "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp123456",
                )
            ),
        ],
    ),
    _tpl(
        12,
        "appointment_reminder",
        "en_US",
        "UTILITY",
        [
            _body(
                "Hi {{1}}, this is a reminder of your appointment on {{2}} at {{3}}.",
                "Ana",
                "March 3",
                "10:00",
            ),
            _buttons(_quick("Confirm"), _quick("Reschedule")),
        ],
    ),
    _tpl(
        13,
        "payment_due",
        "en_US",
        "UTILITY",
        [
            _body(
                "Hi {{1}}, your payment of {{2}} is due on {{3}}.",
                "Ana",
                "$10.99",
                "March 3, 2026",
            ),
            _footer("Ignore this message if you already paid"),
        ],
    ),
    _tpl(
        14,
        "winter_clearance",
        "en_US",
        "MARKETING",
        [
            _body("Winter clearance: {{1}} off coats this week only!", "50%"),
        ],
        status="PAUSED",
        score="RED",
    ),
    _tpl(
        15,
        "legacy_welcome",
        "en_US",
        "MARKETING",
        [
            _body("Welcome to our old store, {{1}}!", "Ana"),
        ],
        status="DISABLED",
        score="RED",
    ),
    _tpl(
        16,
        "flash_deal",
        "en_US",
        "MARKETING",
        [
            _body("FREE MONEY!!! Click now {{1}}", "https://example.com"),
        ],
        status="REJECTED",
        score="UNKNOWN",
        rejected_reason="PROMOTIONAL",
    ),
    _tpl(
        17,
        "feedback_survey",
        "en_US",
        "MARKETING",
        [
            _body("Hi {{1}}, how was your last visit? Reply 1-5.", "Ana"),
            _buttons(_quick("Great"), _quick("Could be better")),
        ],
        status="PENDING",
        score="UNKNOWN",
    ),
]


def seed_templates() -> list[dict[str, Any]]:
    """Fresh copies of the seeded templates (callers may mutate them)."""
    return copy.deepcopy(_SEEDED)
