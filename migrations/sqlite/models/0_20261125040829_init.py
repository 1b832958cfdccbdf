from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "api_key" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" VARCHAR(64) NOT NULL UNIQUE,
    "scope" VARCHAR(8) NOT NULL /* READ: read\nWRITE: write\nADMIN: admin */,
    "last_used_at" TIMESTAMP,
    "revoked_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "webhook_delivery" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "dedupe_key" VARCHAR(64) NOT NULL UNIQUE,
    "source" VARCHAR(32) NOT NULL,
    "body" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nPROCESSED: PROCESSED\nFAILED: FAILED */,
    "attempts" INT NOT NULL,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMP,
    "processed_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_inbox_status_next" ON "webhook_delivery" ("status", "next_attempt_at");
CREATE TABLE IF NOT EXISTS "whatsapp_automation" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "description" TEXT,
    "trigger" VARCHAR(128) NOT NULL,
    "conditions" JSON NOT NULL,
    "actions" JSON NOT NULL,
    "enabled" INT NOT NULL,
    "cooldown_seconds" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_automation_enabled_trigger" ON "whatsapp_automation" ("enabled", "trigger");
CREATE TABLE IF NOT EXISTS "whatsapp_contact" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "wa_id" VARCHAR(32) NOT NULL UNIQUE,
    "profile_name" VARCHAR(256),
    "tags" JSON NOT NULL,
    "last_inbound_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "whatsapp_media" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "meta_id" VARCHAR(64) NOT NULL,
    "phone_number_id" VARCHAR(32) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "mime_type" VARCHAR(128) NOT NULL,
    "file_name" VARCHAR(256),
    "file_size" BIGINT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_whatsapp_me_meta_id_0f4ea5" ON "whatsapp_media" ("meta_id");
CREATE TABLE IF NOT EXISTS "whatsapp_session" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "phone_number_id" VARCHAR(32),
    "flow" VARCHAR(128),
    "flow_token" VARCHAR(200) UNIQUE,
    "status" VARCHAR(16) NOT NULL /* ACTIVE: ACTIVE\nCOMPLETED: COMPLETED\nEXPIRED: EXPIRED\nCANCELLED: CANCELLED */,
    "context" JSON NOT NULL,
    "tags" JSON NOT NULL,
    "last_inbound_at" TIMESTAMP,
    "started_at" TIMESTAMP NOT NULL,
    "completed_at" TIMESTAMP,
    "contact_id" CHAR(36) REFERENCES "whatsapp_contact" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_session_contact_updated" ON "whatsapp_session" ("contact_id", "updated_at");
CREATE INDEX IF NOT EXISTS "idx_session_status_updated" ON "whatsapp_session" ("status", "updated_at");
CREATE TABLE IF NOT EXISTS "whatsapp_template" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "waba_id" VARCHAR(32) NOT NULL,
    "meta_id" VARCHAR(64),
    "name" VARCHAR(512) NOT NULL,
    "language" VARCHAR(16) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "category" VARCHAR(32),
    "parameter_format" VARCHAR(16) NOT NULL,
    "components" JSON NOT NULL,
    "quality_score" VARCHAR(16),
    "rejected_reason" VARCHAR(64),
    "synced_at" TIMESTAMP,
    "removed_at" TIMESTAMP,
    CONSTRAINT "uid_whatsapp_te_waba_id_1d914a" UNIQUE ("waba_id", "name", "language")
);
CREATE TABLE IF NOT EXISTS "whatsapp_message" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "direction" VARCHAR(8) NOT NULL /* OUTBOUND: OUTBOUND\nINBOUND: INBOUND */,
    "type" VARCHAR(24) NOT NULL /* TEXT: TEXT\nIMAGE: IMAGE\nVIDEO: VIDEO\nAUDIO: AUDIO\nDOCUMENT: DOCUMENT\nSTICKER: STICKER\nLOCATION: LOCATION\nCONTACTS: CONTACTS\nBUTTONS: BUTTONS\nLIST: LIST\nCTA_URL: CTA_URL\nFLOW: FLOW\nTEMPLATE: TEMPLATE\nREACTION: REACTION\nINTERACTIVE_REPLY: INTERACTIVE_REPLY\nBUTTON_REPLY: BUTTON_REPLY\nORDER: ORDER\nSYSTEM: SYSTEM\nUNSUPPORTED: UNSUPPORTED */,
    "status" VARCHAR(16) NOT NULL /* SCHEDULED: SCHEDULED\nQUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nDELIVERED: DELIVERED\nREAD: READ\nFAILED: FAILED\nCANCELLED: CANCELLED\nRECEIVED: RECEIVED */,
    "phone_number_id" VARCHAR(32) NOT NULL,
    "customer_wa_id" VARCHAR(32) NOT NULL,
    "wamid" VARCHAR(191) UNIQUE,
    "template_name" VARCHAR(512),
    "template_language" VARCHAR(16),
    "reply_to_wamid" VARCHAR(191),
    "text" TEXT,
    "content" JSON,
    "metadata" JSON,
    "payload" JSON,
    "error_code" INT,
    "error_title" VARCHAR(512),
    "error_details" TEXT,
    "scheduled_for" TIMESTAMP,
    "sent_at" TIMESTAMP,
    "delivered_at" TIMESTAMP,
    "read_at" TIMESTAMP,
    "failed_at" TIMESTAMP,
    "received_at" TIMESTAMP,
    "attempts" INT NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "lease_expires_at" TIMESTAMP,
    "idempotency_key" VARCHAR(128) UNIQUE,
    "request_hash" VARCHAR(64),
    "conversation" JSON,
    "pricing" JSON,
    "contact_id" CHAR(36) REFERENCES "whatsapp_contact" ("id") ON DELETE SET NULL,
    "reply_to_id" CHAR(36) REFERENCES "whatsapp_message" ("id") ON DELETE SET NULL,
    "session_id" CHAR(36) REFERENCES "whatsapp_session" ("id") ON DELETE SET NULL,
    "template_id" CHAR(36) REFERENCES "whatsapp_template" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_message_status_scheduled" ON "whatsapp_message" ("status", "scheduled_for");
CREATE INDEX IF NOT EXISTS "idx_message_created" ON "whatsapp_message" ("created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_message_customer_created" ON "whatsapp_message" ("customer_wa_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_message_session_created" ON "whatsapp_message" ("session_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_message_status_created" ON "whatsapp_message" ("status", "created_at");
CREATE TABLE IF NOT EXISTS "whatsapp_analytics_event" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "source" VARCHAR(64) NOT NULL,
    "properties" JSON NOT NULL,
    "caused_by_automation_run_id" CHAR(36),
    "contact_id" CHAR(36) REFERENCES "whatsapp_contact" ("id") ON DELETE SET NULL,
    "message_id" CHAR(36) REFERENCES "whatsapp_message" ("id") ON DELETE SET NULL,
    "session_id" CHAR(36) REFERENCES "whatsapp_session" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_event_name_created" ON "whatsapp_analytics_event" ("name", "created_at");
CREATE INDEX IF NOT EXISTS "idx_event_created" ON "whatsapp_analytics_event" ("created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_event_session_created" ON "whatsapp_analytics_event" ("session_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_event_contact_created" ON "whatsapp_analytics_event" ("contact_id", "created_at");
CREATE TABLE IF NOT EXISTS "whatsapp_automation_run" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nSKIPPED: SKIPPED */,
    "results" JSON NOT NULL,
    "error" TEXT,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "duration_ms" INT,
    "automation_id" CHAR(36) NOT NULL REFERENCES "whatsapp_automation" ("id") ON DELETE CASCADE,
    "contact_id" CHAR(36) REFERENCES "whatsapp_contact" ("id") ON DELETE SET NULL,
    "event_id" CHAR(36) REFERENCES "whatsapp_analytics_event" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_run_automation_created" ON "whatsapp_automation_run" ("automation_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_run_cooldown" ON "whatsapp_automation_run" ("automation_id", "contact_id", "created_at");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXWlzozga/isuPs1UZbsS5+ge19ZWOTbd423HzviYnsNTFAHFZoOFh6MTb2/++0riEm"
    "cQAQfT+hIToYfjeYWk99Crb8LWUIFuvevvtM9gL/Q63wQobwE6iJ056QjybheW4wJbvtNJ"
    "VXmnSQ9epTvLNmXFRsX3sm4BVKQCSzG1na0ZEJVCR9dxoaGgihpch0UO1P52gGQba2BvgI"
    "lO/PkXKtagCp6A5f+7e5DuNaCrkWfVVHxvUi7Z+x0pWy5Hw4+kJr7dnaQYurOFYe3d3t4Y"
    "MKjuOJr6DmPwuTWAwJRtoFKvgZ/Se2G/yH1iVGCbDggeVQ0LVHAvOzomQ/jnvQMVzEGH3A"
    "n/ufiX92hUNUmaTBfSXFxIksDAnWJAzLsGbUzUt2f3uiEhpFTANxj83J/9cH71I6HAsOy1"
    "SU4SuoRnApRt2YUS0kOWFRNgTiTZTrI9RGdsbQvSGY8iY8yrHvSdf1BGAn5BKIKw+fnk+v"
    "TVQLiAXlCdQn3vyT5HAIvRjThf9G9u8e22lvW3TvjrL0R8pktK97HSH1x5GejLcr+44CKd"
    "L6PFzx38b+eP6USMSzWot/hDwM8kO7YhQeNRklWqmfqlPmuoZih18puQ92Ajm+my9uvHpI"
    "zYOka5buUnSQdwbW/Qv2fdDzmC/bU/Ix8XqhWT1sQ71XXPPUf43ZngXntiYThEtJHjqyIU"
    "x78HiuGrOMFoZJI2srVhoZjGVEPyy0PEwSi+uihA8dVFJsX4VJRiSzF2GZ2ECJ0t4XiEnk"
    "iGCkhwHYCb3JqFmdgf9jq4m1/BL7PRQux1Hk3NBivYH96MJr2OrG41KJQQR5E+JbtHSfQn"
    "umzZkmOVGqfj2ApGaq+ZN6WzOZKB2eckd2Q2wVfjoZSco0gu5aZJGSs69w/UJBwX3MnKw6"
    "NsqlLijNE1suomT22723iJDOU1ERJmEz+np/t9AXcbw3gYAl37CsxU9TBe5SRPT3x0KyN5"
    "U7XrVBi/CeGbovFEth3yQBA82ajt22C7w78CRoEnNK2yLHTPgJdQu3ySNHhnPEnuJSSMJy"
    "/mfTECwaPXIP88czWVq6kNnWq3V01VgersgG+GKjrPj6L4TP/lmb7hmAqTPSBEHG5+Lzxu"
    "ZNvCA9FBaD7vFqD5vJtJMz4VpfnOUFPa8QINMukk+/WbrEJVMnsTf1tEOiSfxB9u+r/9GO"
    "mUxtPJJ786RfpgPL2Ot+lgYlBKfQ3QB2zft+JkOJp8YmzePqzX8Q5W8HY2HYjzuYh02+Bw"
    "BT/2R2Nc5P6WUWqrN+N487UUOY1gxldBQ2LCQU9dl3BO6+pz1vgJ/tE9u3h/8eH86uIDqk"
    "KeMih5n8P5aLJIMxQA0zRMlp4miirV5I9IWayju4lrH4yT1BQ4V+CbpsBHDfyGgjTLUhpJ"
    "HMsl3TRJN8VUgye8/d2uD2V9b2uKJX4F0BbSLDbpNU9yDTfedFqSfZAEAtTBDDi+Z5FS0w"
    "tYbsiDSrhE8oA5phv83VJ3jBoENLX4/ZhvZbmXlFyrT5lX9K/A/pYGtJEAX3Fr/wov35rb"
    "xrhtrJlaZ4ttYzyEo94QjuMwih2x1RFNg3fAtDWQov3/ez6dZE6eKVS8y9IUu/O/jq5ZtR"
    "kCqAHjztF0W4PWO3zbtxgzMEv5mmxcaY11Q/gCcU1WkUmswN1ewt3PVsbPK5mOP4kpOpi/"
    "cJlXjPLHo+u8OKZTrEema4VJjqA4p1FOt2iKixQrRk6jKM5pbFSMaDRFOY2iOKfPSQtDot"
    "km+f1omEBbw89gn3BexCiNWQVuwiseJb9hafiIpvwYKJyxbxYRgV4f2IQK9AidyXI8FtKa"
    "cYUcz8MrtpPj6DdcgGNvcKqQ40F4xXZyHB3PMzjOtkVSfrXInCtlgn3tXeDj5xnQScWX6e"
    "8HF505LWrozwcx4QbcCXnm27DWSTHTbRRwMKstgPhRXJugqa3XCFHArki1Su8Cko8+4cZF"
    "blw8NgNJe42Lzk4tKfUokku9KVJP8XV6T89NyocyKdNPlqA5OzonBuPhOezhOdQ0o2jjpi"
    "C8fRdr3+iOqmaT2V+C6GyLfhTVDIs+vl9rLPqywiwTCsIFUrlAKO0pppUbhg5kmC4TChWT"
    "yR2C1SUMX6k5LO3X0+k4Qvv1KN7LL2+uRdRDERmgSpprJklGxCqIHNV4hJIFcE/DEmqcBj"
    "1cyPFVk2OOGSLkqLWtb2aKatpg3BBbFCavkDnKY5nJIoUtj4e1SlH3LhP2hr3T1CWYQ+6S"
    "t39FDB5+GL//4dYxbh07ui7uSO0kRaxj3/PastlyMiEl3sEKzpeDgSgO8dKy4DC+2gzV+j"
    "y6vSV13AOhWCOqef0ZahOIBybViIJw1ah61Yh16Rpftfa6RbJmueEriuQrmJpj1U8OV/ca"
    "1KxNKTHHoFzOTZaz6piu9rFlMXLEUKXsGw0TatWLqhOKXVG1KgGsUsNq7pfD457flFN3+R"
    "4bozSG85kbnxuNuaootDEa+XWcXcGL4Y2J7jAS4Tjozwf9oSgk23KVPCcWSB9li36Ravp7"
    "5rG6dTD8yljdQxj6fRnkmPgpMRUw7lPNhO8JwK3a3KrdJqs2j/lsm9SLxHw+yqmaQnZcXA"
    "BoXWLN6jM+7kzjXtOBxBpYG8e1wbYd5bp7WcSXg2plsk3OxaI85TWTK8evz/04lftxSEZB"
    "nF/bgaX3LIjCue25OaOIO3koFQNGFNOqosBaqsxnGZ/5Uk4W4rxF4RUx1ro19Gnr4Sviqn"
    "Vr4Q8SlnkDVE0Wcmw1boWTQpaabVCX22m4nYbbaY5krlXETrMFNqvOTkHqijls034YO8QQ"
    "Ur6d7R0wGZlOgbZw9WD1lpIH9F4sPPv1W0hu9VGuW9SHuxSx9Bk0qI0017ECtpS1j5v62E"
    "19hDNL+28K0dfaOjPYLQI73FK++mPdfup2z8/fd0/Prz5cXrx/f/nhNAh6S57Ki367Hn3C"
    "AXARSSQj4qyNjITC0shDRAv7kuqnIOBpp6EpY4mpfRTZwqn9kUzlqzCbHsbs4Bq2cg0Pge"
    "2rkOkhrP0G+4BaygaoDs4tdm8UykrmJ4/09gEN8OTtCi38LLOjhH9X9o0dHMs2tki7CByx"
    "bAtLgxv71znorhYB2WX3tQgFXfLGrpT5phbctnWsA2CLbVs8BqltUi8Sg6SiCauSHlBfbE"
    "l15AJN1i+E6XJxPV1Ohr2Of7SCo4lX5B0IJTSQIraMbEtGwo6RbSx6WRjHYDMiy2l7HfwX"
    "8X/T/yQi9vHPCv46GorTXof8rGB/ORyh/8jPCg6ng+WNOEFI/2gF54vR4LM463W8gxUcTw"
    "f9xWg66XX8oxUcTCeL/mAx73X8oxW8Xi4W0wkq8g4QcjRH18Z/EWLRl5azMQK4Byv4cTz9"
    "0uvgvyu4EG9ux+jTxe/gHq3gTETXJff1j3DbWogz/M+vojQTb8e/41YWK/KfxK9A/7eC09"
    "kQvx35QW/7+xzdEL0s+V3B5WS+vL2dzhZ4aT/1T5k23C2iRXeztehucmPro0vUUKIpzwc/"
    "i8MlSbYQHK7gL0txiYvcXyQ4P5PD3M/kMCcNeU4a8VAco+Yww4DgkDSoIWlMKfkcBv3JQB"
    "yTouAQIwYiQhOUe1SmIVRvAecenYN7dJJ6alHGk0hOeAHCH+UtayT39hX0xn0ODQrkPvvp"
    "rEgH8tNZdg+Cz8WmRGC70xEdzO6dBLB9Lp7LsyKtGdXKJJycyyBcl+HaSd0RpwDpNLh9xN"
    "eREWmn7yWkqzF3J0lkC/mup2d5SjF3ZKc88uu3gd48K0YdGY/wCtbUFeW5+al9yKsWihwP"
    "87WsCMExaNjay0I9jeHcl+d+J+91Q07pzXP2WQ0hnPlX5rNDtKops5fMKJUoiGdkSsafuA"
    "zZmq0zzQpjsDYMoAeYiLusqagv1vQUY9oLuRlpYBsIP/SMJRrPkGD/hTSNcTBfRdkcP1jS"
    "/WnhpD0lknGGMC7fJstXBbr2FZilHNxxLJd0kyWNnfUlhEzBuHybLN97NKUpl1GXBnIZN1"
    "nGJlAA6nLLfccRKJdzk+Us29hbkJaUIlNDpyGHW0bS5A2hIvuIIo1Q8igq8fGkwPkH1OQP"
    "SAeyBaTyS1bS8FziTZa4pqKP07ABVPbSA9iz2OBSoK2LP6hjaakJ0HtatrSRrQ0L33FcG2"
    "xwda++Q7dDqraVkeQ711UYwXHPySt8Vqam4OdhoJ+CcObLM8/3ZKhqeVNKWA0bqTEYZzXm"
    "G4msRCxKahTFOc0Iu2MjNQbjrObuIcL3W6hnv4WUzqFCjluX1zDOcbRnLMCx/9VXSPKCum"
    "Q7WY51lQVo9qcBFdLcunymcZZjUyfmDVp4ymIW9hPNVeOJd7OoOkRWF3+oysnqQo1mBbK6"
    "UKPp4bK6RMd8aol/gYQfQYYR7xoemrwdY6aRcjf2Mo28fF+eaYRnGmnoksXjzDnBM418j1"
    "JPcVwlZiYNWAfesFlK3auS73UkCQaa/frt47aehLOILjSdegAZuXOySQ5RbXO/dk9PiyQS"
    "OT3NziSCzx17KhHBzfHCOBnzUL2O+4sz19zcjkWS3yU4XEHxt9sRSRfiHaQnBBHKfCaVL2"
    "kmCzjTlti+sOYzdZXtG20Ohm/bms3B+D5tjREF36ft+wrcQgORWU7tiSK52tMUsRdRdhVj"
    "u8O271JGjhiWf99N/r557A733b+9i+OkjO+eu+L4Jpit9MUFEQ05zjg66qGAN46Ou6jWHf"
    "en8Cjf+XkX/Yx1QRK1v2LeOu664q4rPpuvcJLHXVffo9SLuK6obrmomZ+C8Ay6BXxVb7Cz"
    "asPmSXUvrGLNnfuqlLnNbr61pOoqkyr31Rlym81z9f6kPFdgpu30CHYSaEw/rCAq1obJtK"
    "yYxrSvJ66e451soiMbmDgz3DZtKpkTCpOCPaBf+3Y6H+HdTfrjurS1+j3S250B001ZeU5p"
    "GsWdoZU7Q/92ZF2z95KlGCbTEJoAtq8HqiPT/H+AgrVRpLNZWXt/ZS2LTUDbx3j1s29rD5"
    "Vyvl8ayB2AzbESJI1DJtgaZXOW0Ugu5aZJOeGSLOIw4/6ft/P/9IGpKRshxevjnTnJ8/XI"
    "YZ0611sxeXAy8+GlWsBSMuF5zeJ1nps6R+BKMuFlO2xwdqDMfU7TqaUgLTQedC8vi8RqX1"
    "5mx2rjc9F5Dv6oGBj2qreQ3bNCkfBnOZHwZ8lI+DfcQqdpbB9CQWUY9qsfzJ7/DyRWoSM="
)
