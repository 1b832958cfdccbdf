from tortoise import BaseDBAsyncClient

# The script below opens and commits its own transaction (see its first lines).
RUN_IN_TRANSACTION = False


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        -- SQLite cannot make a column nullable in place: whatsapp_contact and whatsapp_message are
        -- rebuilt (SQLite's documented procedure: foreign keys off, copy, swap, keys back on), so
        -- this migration manages its own transaction.
        PRAGMA foreign_keys = OFF;
        BEGIN;
        DROP INDEX IF EXISTS "idx_message_window";
        CREATE TABLE "_new_whatsapp_contact" (
            "id" CHAR(36) NOT NULL PRIMARY KEY,
            "created_at" TIMESTAMP NOT NULL,
            "updated_at" TIMESTAMP NOT NULL,
            "bsuid" VARCHAR(160) UNIQUE,
            "parent_bsuid" VARCHAR(160),
            "username" VARCHAR(128),
            "wa_id" VARCHAR(32) UNIQUE,
            "profile_name" VARCHAR(256),
            "tags" JSON NOT NULL,
            "last_inbound_at" TIMESTAMP,
            "marketing_consent" VARCHAR(16) NOT NULL DEFAULT 'UNKNOWN' /* OPTED_IN: OPTED_IN\nOPTED_OUT: OPTED_OUT\nUNKNOWN: UNKNOWN */,
            "marketing_consent_at" TIMESTAMP,
            "marketing_consent_source" VARCHAR(32)
        );
        INSERT INTO "_new_whatsapp_contact" ("id", "created_at", "updated_at", "wa_id", "profile_name", "tags", "last_inbound_at")
            SELECT "id", "created_at", "updated_at", NULLIF("wa_id", ''), "profile_name", "tags", "last_inbound_at"
            FROM "whatsapp_contact";
        DROP TABLE "whatsapp_contact";
        ALTER TABLE "_new_whatsapp_contact" RENAME TO "whatsapp_contact";
        CREATE INDEX IF NOT EXISTS "idx_contact_created" ON "whatsapp_contact" ("created_at", "id");
        CREATE TABLE "_new_whatsapp_message" (
            "id" CHAR(36) NOT NULL PRIMARY KEY,
            "created_at" TIMESTAMP NOT NULL,
            "updated_at" TIMESTAMP NOT NULL,
            "direction" VARCHAR(8) NOT NULL /* OUTBOUND: OUTBOUND\nINBOUND: INBOUND */,
            "type" VARCHAR(24) NOT NULL /* TEXT: TEXT\nIMAGE: IMAGE\nVIDEO: VIDEO\nAUDIO: AUDIO\nDOCUMENT: DOCUMENT\nSTICKER: STICKER\nLOCATION: LOCATION\nCONTACTS: CONTACTS\nBUTTONS: BUTTONS\nLIST: LIST\nCTA_URL: CTA_URL\nFLOW: FLOW\nTEMPLATE: TEMPLATE\nREACTION: REACTION\nINTERACTIVE_REPLY: INTERACTIVE_REPLY\nBUTTON_REPLY: BUTTON_REPLY\nORDER: ORDER\nSYSTEM: SYSTEM\nUNSUPPORTED: UNSUPPORTED */,
            "status" VARCHAR(16) NOT NULL /* SCHEDULED: SCHEDULED\nQUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nDELIVERED: DELIVERED\nREAD: READ\nFAILED: FAILED\nCANCELLED: CANCELLED\nRECEIVED: RECEIVED */,
            "phone_number_id" VARCHAR(32) NOT NULL,
            "customer_wa_id" VARCHAR(32),
            "customer_bsuid" VARCHAR(160),
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
        INSERT INTO "_new_whatsapp_message" ("id", "created_at", "updated_at", "direction", "type", "status", "phone_number_id", "customer_wa_id", "wamid", "template_name", "template_language", "reply_to_wamid", "text", "content", "metadata", "payload", "error_code", "error_title", "error_details", "scheduled_for", "sent_at", "delivered_at", "read_at", "failed_at", "received_at", "attempts", "next_attempt_at", "lease_expires_at", "idempotency_key", "request_hash", "conversation", "pricing", "contact_id", "reply_to_id", "session_id", "template_id")
            SELECT "id", "created_at", "updated_at", "direction", "type", "status", "phone_number_id", NULLIF("customer_wa_id", ''), "wamid", "template_name", "template_language", "reply_to_wamid", "text", "content", "metadata", "payload", "error_code", "error_title", "error_details", "scheduled_for", "sent_at", "delivered_at", "read_at", "failed_at", "received_at", "attempts", "next_attempt_at", "lease_expires_at", "idempotency_key", "request_hash", "conversation", "pricing", "contact_id", "reply_to_id", "session_id", "template_id"
            FROM "whatsapp_message";
        DROP TABLE "whatsapp_message";
        ALTER TABLE "_new_whatsapp_message" RENAME TO "whatsapp_message";
        CREATE INDEX IF NOT EXISTS "idx_message_status_scheduled" ON "whatsapp_message" ("status", "scheduled_for");
        CREATE INDEX IF NOT EXISTS "idx_message_status_due" ON "whatsapp_message" ("status", "next_attempt_at");
        CREATE INDEX IF NOT EXISTS "idx_message_status_lease" ON "whatsapp_message" ("status", "lease_expires_at");
        CREATE INDEX IF NOT EXISTS "idx_message_created" ON "whatsapp_message" ("created_at", "id");
        CREATE INDEX IF NOT EXISTS "idx_message_customer_created" ON "whatsapp_message" ("customer_wa_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_bsuid_created" ON "whatsapp_message" ("customer_bsuid", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_contact_created" ON "whatsapp_message" ("contact_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_session_created" ON "whatsapp_message" ("session_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_status_created" ON "whatsapp_message" ("status", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_contact_window" ON "whatsapp_message" ("contact_id", "phone_number_id", "direction", "received_at");
        CREATE TABLE IF NOT EXISTS "whatsapp_contact_identity" (
            "id" CHAR(36) NOT NULL PRIMARY KEY,
            "created_at" TIMESTAMP NOT NULL,
            "kind" VARCHAR(8) NOT NULL /* BSUID: bsuid\nWA_ID: wa_id */,
            "value" VARCHAR(160) NOT NULL UNIQUE,
            "retired_at" TIMESTAMP,
            "contact_id" CHAR(36) NOT NULL REFERENCES "whatsapp_contact" ("id") ON DELETE CASCADE
        ) /* An id a contact has or had: a BSUID or a phone number, each naming one contact. */;
        CREATE INDEX IF NOT EXISTS "idx_identity_contact" ON "whatsapp_contact_identity" ("contact_id", "created_at");
        CREATE TABLE IF NOT EXISTS "whatsapp_consent_change" (
            "id" CHAR(36) NOT NULL PRIMARY KEY,
            "created_at" TIMESTAMP NOT NULL,
            "state" VARCHAR(16) NOT NULL /* OPTED_IN: OPTED_IN\nOPTED_OUT: OPTED_OUT\nUNKNOWN: UNKNOWN */,
            "source" VARCHAR(32) NOT NULL,
            "detail" TEXT,
            "occurred_at" TIMESTAMP NOT NULL,
            "dedupe_key" VARCHAR(255) UNIQUE,
            "contact_id" CHAR(36) NOT NULL REFERENCES "whatsapp_contact" ("id") ON DELETE CASCADE,
            "message_id" CHAR(36) REFERENCES "whatsapp_message" ("id") ON DELETE SET NULL
        ) /* One change of a contact's marketing consent, with when, where from and in what words. */;
        CREATE INDEX IF NOT EXISTS "idx_consent_contact_created" ON "whatsapp_consent_change" ("contact_id", "created_at");
        ALTER TABLE "whatsapp_message_status" ADD "recipient_bsuid" VARCHAR(160);
        -- Data. Meta's "" means "no number" (handled in the copies above).
        -- Customers' messages carried their BSUID (from_user_id) before it was read.
        UPDATE "whatsapp_message" SET "customer_bsuid" = NULLIF(json_extract("content", '$.from_user_id'), '')
            WHERE "direction" = 'INBOUND' AND json_valid("content")
            AND json_extract("content", '$.from_user_id') IS NOT NULL;
        -- The 24-hour window is the contact's now: every message is tied to its contact.
        UPDATE "whatsapp_message" SET "contact_id" = (
                SELECT c."id" FROM "whatsapp_contact" AS c WHERE c."wa_id" = "whatsapp_message"."customer_wa_id")
            WHERE "contact_id" IS NULL AND "customer_wa_id" IS NOT NULL;
        -- Every known number becomes an identity; BSUIDs come with Meta's next webhooks.
        INSERT INTO "whatsapp_contact_identity" ("id", "created_at", "kind", "value", "contact_id")
            SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))), "created_at", 'wa_id', "wa_id", "id"
            FROM "whatsapp_contact" WHERE "wa_id" IS NOT NULL;
        COMMIT;
        PRAGMA foreign_keys = ON;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        PRAGMA foreign_keys = OFF;
        BEGIN;
        DROP TABLE IF EXISTS "whatsapp_consent_change";
        DROP TABLE IF EXISTS "whatsapp_contact_identity";
        ALTER TABLE "whatsapp_message_status" DROP COLUMN "recipient_bsuid";
        CREATE TABLE "_old_whatsapp_contact" (
            "id" CHAR(36) NOT NULL PRIMARY KEY,
            "created_at" TIMESTAMP NOT NULL,
            "updated_at" TIMESTAMP NOT NULL,
            "wa_id" VARCHAR(32) NOT NULL UNIQUE,
            "profile_name" VARCHAR(256),
            "tags" JSON NOT NULL,
            "last_inbound_at" TIMESTAMP
        );
        INSERT INTO "_old_whatsapp_contact" ("id", "created_at", "updated_at", "wa_id", "profile_name", "tags", "last_inbound_at")
            SELECT "id", "created_at", "updated_at", COALESCE("wa_id", substr(replace("id", '-', ''), 1, 32)),
            "profile_name", "tags", "last_inbound_at"
            FROM "whatsapp_contact";
        DROP TABLE "whatsapp_contact";
        ALTER TABLE "_old_whatsapp_contact" RENAME TO "whatsapp_contact";
        CREATE INDEX IF NOT EXISTS "idx_contact_created" ON "whatsapp_contact" ("created_at", "id");
        CREATE TABLE "_old_whatsapp_message" (
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
        INSERT INTO "_old_whatsapp_message" ("id", "created_at", "updated_at", "direction", "type", "status", "phone_number_id", "customer_wa_id", "wamid", "template_name", "template_language", "reply_to_wamid", "text", "content", "metadata", "payload", "error_code", "error_title", "error_details", "scheduled_for", "sent_at", "delivered_at", "read_at", "failed_at", "received_at", "attempts", "next_attempt_at", "lease_expires_at", "idempotency_key", "request_hash", "conversation", "pricing", "contact_id", "reply_to_id", "session_id", "template_id")
            SELECT "id", "created_at", "updated_at", "direction", "type", "status", "phone_number_id", COALESCE("customer_wa_id", ''), "wamid", "template_name", "template_language", "reply_to_wamid", "text", "content", "metadata", "payload", "error_code", "error_title", "error_details", "scheduled_for", "sent_at", "delivered_at", "read_at", "failed_at", "received_at", "attempts", "next_attempt_at", "lease_expires_at", "idempotency_key", "request_hash", "conversation", "pricing", "contact_id", "reply_to_id", "session_id", "template_id"
            FROM "whatsapp_message";
        DROP TABLE "whatsapp_message";
        ALTER TABLE "_old_whatsapp_message" RENAME TO "whatsapp_message";
        CREATE INDEX IF NOT EXISTS "idx_message_status_scheduled" ON "whatsapp_message" ("status", "scheduled_for");
        CREATE INDEX IF NOT EXISTS "idx_message_status_due" ON "whatsapp_message" ("status", "next_attempt_at");
        CREATE INDEX IF NOT EXISTS "idx_message_status_lease" ON "whatsapp_message" ("status", "lease_expires_at");
        CREATE INDEX IF NOT EXISTS "idx_message_created" ON "whatsapp_message" ("created_at", "id");
        CREATE INDEX IF NOT EXISTS "idx_message_customer_created" ON "whatsapp_message" ("customer_wa_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_session_created" ON "whatsapp_message" ("session_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_status_created" ON "whatsapp_message" ("status", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_window" ON "whatsapp_message" ("customer_wa_id", "phone_number_id", "direction", "received_at");
        COMMIT;
        PRAGMA foreign_keys = ON;"""


MODELS_STATE = (
    "eJztXWlz27gZ/iscfWkyo6a2YjtZtdMZWWJ21ciSq2Ozh3YYioQt1hSo5RFZTfPfC4D3KY"
    "IiZYrBF5si8QLg8wIg3hNfWxtNBqrxprdVPoJ9q8t9bUFxA9BF5Emba4nbrX8f3zDFlUqK"
    "iltFeHIKrQxTFyUT3X4QVQOgWzIwJF3ZmooG0V1oqSq+qUmooAIf/VsWVP60gGBqj8BcAx"
    "09+P0PdFuBMngGhvtz+yQ8KECVQ31VZNw2uS+Y+y25t1gMBx9ISdzcSpA01dpAv/R2b641"
    "6BW3LEV+g2nws0cAgS6aQA68Bu6l88LuLbvH6IapW8DrquzfkMGDaKkYjNY/HiwoYQw40h"
    "L+c/VPp2uBYoIwnsyFGT8XhBYFdpIGMe4KNDFQX7/Z9fqAkLst3ED/p9701dub1wQCzTAf"
    "dfKQwNX6RghFU7RJCeg+ypIOMCaCaMbRHqAnprIByYiHKSPIyw7pG/eiCAfcGz4L/OHngu"
    "vCVwHgLfSC8gSqe4f3GQyYD+/42bx3d4+b2xjGnyrBrzfn8ZMOubuP3H1l80tDM8uecV4l"
    "3Kfh/CcO/+R+m4z5KFe9cvPfWrhPomVqAtR2gigHhql710UNlfS5Tv7H+N1fi3oyr93yES"
    "4jtM6RrxvxWVABfDTX6Odl530GY3/uTcnkQqUi3Bo7jzr2s28hfLc6eFCeaRD2KZqI8U0e"
    "iKPzIYDwTRRg9GUS1qKxpoE4SFMOyIc/ESeD+OYqB8Q3V6kQ40dhiA1J26YsEjy0NgTjIe"
    "qRCCUQw9ojrvNobk353qDL4WV+CT9Nh3O+y+10xQRL2BvcDcddTpQ3CmwVYEeeNSV9RYmt"
    "J6pomIJlFPpOR2lL+FI7w7wui82ZfJhdTDK/zDr4oj0V4nOYknG5blzGgs7DU2ATjm+sRO"
    "lpJ+qyEHuidbS0svFHm84mekeE4iNhEkYT99OR/T6B1VrTngZAVb4APVE8jBZpZ8mJO7sw"
    "4negdJUC49eW/6boeyKaFukQBM8mGvsm2Gzx/xamAs9oW2UYqE0PF1+6fBYUuNKeBbsKAd"
    "OTF3NmTIvQo9cgP74xMZWJqTXdajdXTJWBbG2Bq4bKu88PU7Gd/uGdvmbpEpU+wKc43f6+"
    "tVuLpoE/RCeB+W0nB8xvO6kw40dhmFeanDCO5+gjkwyyW77OIlQpuzf+l3loQXJBfHXX++"
    "V1aFEaTcY/usUDoPdHk9vomPY2BoXEV4/6hOP7nh8PhuMfKYe3S9blnIslvJ9O+vxsxiPZ"
    "1rtcwg+94Qjfsv8XEWrLV+M4+7UEPg1hyqwIkkSYg3pdFXMuqlpzHnEP/tq5vHp39f7tzd"
    "V7VIT00rvzLgPz4XiepCgAuq7pNCtNmKrQkD8jYbGK5SYqfVBuUhPImQBfNwE+NM80Ceta"
    "LGgqKrVCLkLLOF1nTm91TQJGMdVrlJZxum6crotSDos2ve22B0V1byqSwX8B0Gwl6eaSS7"
    "YzVXSO4CSILpEAPKqTqepcG3JAIZNDR0c6KuA7gkOYoaTD8zbQYlj1o8j526NuyrCrFGz9"
    "XpFXdGugf0sNmoiBRzTt1nC4aaYFZVrQeuoXGqwFZc461TrrnIf684z1y2gbvAW6qYAEPc"
    "+/ZpNx6uY5QBVdshTJ5P7HqYpRmcon8MFYWYpqKtB4g5t9iW8GRilbZxFVT0SWIVxBVGch"
    "icQrZLUX8PKzEXF/Bd1yNzF5P+YHqjniK38+ss7Bb3oA9dB2LTfIISqGaRjTDdriIsGKEt"
    "MwFcM08lUMSTR5MQ1TMUy/xTUMsWEbx/eDpgPlEX4E+5iZKgJpRCtw59d4lvj6d/0u6uLO"
    "EzgjcxYBgV4fmAQK1AVuvBiNWknDuESMZ36NzcQ4PIdzYOx8nErEuO/X2EyMw9/zFIzTdZ"
    "EBC2poz5Wwwb51KvjwcQpUUvAw/D2v0qnVoIH+7SQqXA+7Vpb61i/Vzqe6DROcTGsLIO6K"
    "rRPUlcdHRJFDrxgYlU4FgkvdZspFplw8NwVJc5WL1lYuyPUwJeN6XbieYOt0es9UyqdSKQ"
    "d7FoM53Q8rQsYcsegdsQLbjLyDO0DCxne+8Y1alBWT7P5iQKdr9MNU9dDo4/Yao9EXJWqe"
    "BEgYQ0pnSEB6ikjlmqYCESbzJEAV4ckKkVXFDFeoOS3st5PJKAT77TC6yi/ubnm0QhEeoE"
    "KKrSaJ+z5LCBxZ20HBAHiloXEqTyI9nXP5TZ29yyk85AJRzC+miqrbx7gmuigMXi51lIMy"
    "lUYKax5Pq5UKtF3E7Q1bpwNVULvcxZs/wgcPd8Zdf/J3wY9Qom/NiXhm7n5MI8d0M7XTyH"
    "3PkYvTxXhM7jgXSzhb9Ps8P8CBi95lNJYRlfo4vL8nZeyLVr5BVHF0o++7TqOOCFM1QQd0"
    "AoUEmn6oy1SSb4CESb7lS760Mags/PS4aHe92E4hTMkC1OpjtInvDB4UqBjrQmyOkDI+15"
    "nPsqXbwuWGRocVoSqkvqoZU0vPjsCitr+TKRTT0OTVVcQIy1Rb1JfBLIDhRTG1ZT46RIM0"
    "DM9MR/uw82RJPsphF87zXAoO+inHlsOQq3K/N+v3BnwrPpbLxDmW6eAsR/RBqIPzmTndV4"
    "HwkU73p7DYIR4YaBj01yIke99Ui124YDuXxU6yaQTJJzpksWtNIODs8pz2wImcg+FfDG4j"
    "6k9opwsfOafeNrdTzDW3WwPYxn91wD3o2oYTocwpkMPd4HaaLhtvourZalpZwiWckUhto8"
    "t9tgygC/iUBUSBpoPxmXt1B0wRNTEzte3fpsCwNoBbWaaJ2nnd5j4/gT2uB5Uz16h3loFW"
    "QqBzO13DCeJn88k9p+kc2qhO57i4pGoWEq+3ilMxh5rCgbHobVC3ZbvXl28vL64vXpOuff"
    "bzlH5Gr/kEDFTUyabMKSbYcCZ+F8XgnNTKqC5zp0gA1SyhjnGaBxoBlNKEeozJ0htILHFI"
    "ffY/bWZJZJbEmCWx+AkeLnGdfWJbk/s5PxDwUR3u1RLaV5PF3L2JLpdwMf44nnxCBZ2Lep"
    "gIWe6RipMuy+hTnKTsy3LCdymYJYreEqVJkqXrhT41EdIGfmvO5NuSz0jxUrn5oxOsRqn5"
    "O9fXOdYvVCp1ASPPaqVvPaM5xDLG1Enp+pIKqpoO2mM0VIm6VpZBppoMMi+uBDRtpVyW+s"
    "+dCvkUf17pk/noF8m+yxRKNVrb20yhxBRKLFlEo7meIOrFkkWsDCtpUU0X8jyCpsl3lzcX"
    "uRSAFxkawItYdlxRx7YUapSjdE3QVp0AbmwHpA3JCNI0EOYqAjJ2YqJsnY6xR9C0RaN8nf"
    "ZW1x4UFVBHFkXpmjeUO9d5LDSoVIYCLmajMcVHqsAitzyLKsq2LhSIKiIH1eFjmy1YZBea"
    "QM7cuOuz84wLHJ73j+tykrzcHbZmJ1Z0wgjZoNH5OzJvx2AvMGnT6mAz96xmrkDv6pBVR/"
    "P2LuXsEwul6yGux2Ul7Gmou3ZaeBHLuk0DXNgFuSTgYr7QZ6Y7zIWcIqNXVJIPUSoIGja1"
    "DO1q902FzTH3lQRa46yjYWdE1zJXClaNOyfjJCnbotPysA04OIPz24IFJUh2MAykBzlF9g"
    "MzuLVo4OiHtSh30d3b2WI4wL9FbrvGYQlIHlsBvc0BUVpzqPs4foOEK9jk8QCQkusn8RU6"
    "2jva7oSfcRSFAUwSNcKRcA6nnY32BeBICs7UOBFq2K6NO/JK5CDYec3Yv0gvXv99CXEFur"
    "bjkKy5N9qcoZEqNVXGpIapqCr3gMaugW9v2hwJGUelNgB3ETEG2N1BXVkjItx3xTx1CIfL"
    "/qBvADO1M1P7We0AztTomsfU/oQgLarscmnrHCDQIqtplyPmyyX81BPwL88IRCs857Fgpd"
    "uvYtarL6JqUakqPIJyMK+R+aoSI6z/aaZd08KUTAdYZx0g81xnXtZ1ENzaBbysX9YD+A7I"
    "itjKkP3sAu1cEt/GK1ul7y+TEpiUUM9locFSwgaYtH5WAZKq5IOX26zeXOXYq95cpW5V8a"
    "OIrxXWNwm2IogS6QTSOktktXFvSxd9k3E+B3G3sPBVukcGWsNtiGjWjCBRE2GuwgO2kIsm"
    "88+k988kmBnKfxOAvlUeU/PlhshOd9hTlVjb6XJ/6HTevn3XuXh78/766t276/cXXt7c+K"
    "OsBLq3wx9xDt0QJ+JJdY21iJhCM8h9igauJeVvQcDzVkFbxgJb+zBlA7f2Z7KVT9WWUXhr"
    "nUbtYLs3ZCoePA+IXKoHv/TJAo/9I3AMaQ1kC58+/6DlOrfeDQ53Tsjy6DOso6nnckFUCM"
    "08E2y2Zk6jbKR52TYp0DasAtEAQmDu07dMqsjfdpFQb7dF6sPX3EyMgmcsorN8ew279RTv"
    "gRd7V6wHhLxA80eY/b2Xzx1oHx1mduVHNe7WQd94wUPvIqP7SMQT5HoZTTXJdYtCl0D5Up"
    "glO7SuoU9EeueYppVpWuu5HWuwppWlPmga1xM25TGP2NC6XsQVJ1RBnaXd1mQxv50sxoMu"
    "514t4XDs3HIuWvnGQ5WeOemqy8PMOAcNJsnK2eXwX4T/Xe9HHqGP/y3hz8MBP+ly5N8S9h"
    "aDIfpF/i3hYNJf3PFjROle4RTlw/5HftrlnIslHE36vflwMu5y7tUS9ifjea8/n3U592oJ"
    "bxfz+WSMbjkXiHI4Q3Xjv4hi3hMW0xEisC+W8MNo8qnL4b9LOOfv7kdo6uJ3sK+WcMqjek"
    "m77hUeW3N+in/8zAtT/n70Kx5lkVtuT9wCwV9LOJkO8NuRf+htf52hBtHLkv84IHK2uL+f"
    "TOf4WNDAjyJjuJNHp9NJ1+l0Yjqd8zvktcBQnvV/4gcLclCrd7mE/17wC3zL/o8Y554CO3"
    "NPgZ2RgTwjg3jAj9BwmGIC75IMqAEZTAlnwfZ74z4/Ire8S0zR5xE1obKvigyE8u0xzL54"
    "cvtiXIGQF/E4ZfNMNBXiTZ3iKE7ZPLwr8a/diRva7DubZmbfufzhMg+8P1ymw4ufRTahYL"
    "NVERzU5t0YYfPG8/VlngUElUoFnDxLAVwV4aOVmPE2B+hB4uYBX/7eRAdbdS8g6Zh6OYlT"
    "NhDvalaW5wQFU/phFW75JsCbpTeq4qgKrHBPTCmUntorQHJUdq/zQb6SNF7YBxXr12mgD9"
    "Iw7ItjvxX3qiYmrObp0AdIGPLFkQe6rukIVjlh95LqpRYmYoe6x/3PbIRMxVSpdoURsiZ8"
    "QE+wEbdRs4/ISlBfpm9UYoRNAPzUO5awP1MM/Ww7ZIyYBc/Wx/IYNzgXzJbIEiSeCX+9Q3"
    "0LMDlKyzhdZ05j94hCmQ5Ext9z4O8D2tIUmsYhQsbjOvM46NNJPY9DpIzPdeaz46+fINqk"
    "SuhBktOFkV1UxMyypfNoFATl5EkgZxOozhMoFnxCyfAkesbxOnNckdHk1EwApT3tadAJpI"
    "3zP6gitFwH6D0NU1iLxpoG7yhdE3RwVUffouaQqG2IyV7gmabCEB2znBxhs9IVCfeHAv4A"
    "CUO+OPIvnMLvfNCnOHvec46hAzVCxlCN2EZCgal5QQ1TMUxT3O7oQI2QMVRrm8Gznvgek8"
    "ATdYEbL0ajVtLiUCLGjTvdIopxeGXMgbE760sEeR6ospkoR5bKHDC724ASYW7cqTZRlCNb"
    "pxSU03PvsJPSaNCPChAvf+DXOQKHx2xph301boYnBNOWjNXMi7FtCGJ4eTtRAjEHu8NpxH"
    "yQ8ycTE/zo53Jziv3uR8E5Tfzxh8dH5zvg4+GeLOd+UyTJ0vXcSX+cTERuHa4Vwx2SrTbL"
    "+MMy/pRlK65S+36euV/yZPw5cQxt7ThbfbAbS4LBkmCQZ8GPJ+UKGyFt4BJ7JktqXjc6Za"
    "tgeZA690YCafPM1+Un3/Bho86+kUDaPMQrSb/BfAaoljHmM9Ao5FmcK4tzZXGuLM61eJxr"
    "WLWWV70VpmJeB5leB4GTGZgVMZ8VMaLwreGxoa5TQobiPeC3kEPlHvCbON35HWHvjkD67D"
    "x6dfdoAacOhzpDt556xECxhh3FPnW74Szh+Y7QcNs83BgzIDADQj21Ww02ILAjA5rG9QQd"
    "Z8wZoQYJnWu2v6paxfmg2sfl5IXZLd88bKs5xxTBhfZuTyDlEIx0kH2qpkX1dS7yaI1Rqf"
    "QjAS5iWuPzM4e27MMaKDdjDlWXs//jIyju7kc8OajBu1xC/pf7ITF5OhfJRs1WkWlSugGT"
    "5AVNytx6IJVoYvJWOmVzMcb5m+qVpaimAo03uNmX2FdXooM2xceEmZTODbd8PViB22sMK1"
    "TRQLI8XGkWLLIXTiBn+QDqs/+Niz3oQ6QXE3vClEzsqQvb8wi7krbZYm1oISVHhJbN7zrP"
    "bxYSzkJC62ecyRUSyiK8Koi+ccxiLFIpBatTGP68QNkMy18wmDaH6S8Yzlt+nM3K9eF0D0"
    "LyzuaJxtww0xUzXbHdfImbPGa6+h65nsd0FViW88c8rY7yxq8ddyu2VeFTjCghDpA0z2JV"
    "fr4+2iMZjzqJsd7DtxLP2CInMB598GK9cS7fnpRlCkzVnZ5BNGRt1mEJQfGo6VTZaoM0zV"
    "uJy8d4K+roygQ6PnBok7SVzHCFSaA9oV37fjIbzoeTcW9UlbRWvUV6s9VgsioryygdpGLG"
    "0NKNoX9aoqqYe8GQNJ3qExojbN4KVMUBxv8BEpZGkcxmJIViZgW/xkibh3j5u29jD6Vitt"
    "8gITMA1kdLEFcO6WCjFT0KJ0jJuFw3LsdMknkMZsz+83L2nx7QFWndSrD6OE/aWbYe0S9T"
    "ZXAXlQUnNUA8UQOWEBjuDIvjLDdVfoFLCQtPN9jgBBKJaSfS9zoBkgYqDzrX13l8ta+v03"
    "218bPwPgdPKgqEneINRPcylyf8ZYYn/GXcE574RkN6d2r4Qu7UL7OlKE1Apfjsl/8x+/Z/"
    "l/ZEhA=="
)
