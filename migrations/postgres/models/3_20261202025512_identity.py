from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_message_window";
        CREATE TABLE IF NOT EXISTS "whatsapp_consent_change" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "source" VARCHAR(32) NOT NULL,
    "detail" TEXT,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "dedupe_key" VARCHAR(255) UNIQUE,
    "contact_id" UUID NOT NULL REFERENCES "whatsapp_contact" ("id") ON DELETE CASCADE,
    "message_id" UUID REFERENCES "whatsapp_message" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_consent_contact_created" ON "whatsapp_consent_change" ("contact_id", "created_at");
COMMENT ON COLUMN "whatsapp_consent_change"."state" IS 'OPTED_IN: OPTED_IN\nOPTED_OUT: OPTED_OUT\nUNKNOWN: UNKNOWN';
COMMENT ON TABLE "whatsapp_consent_change" IS 'One change of a contact''s marketing consent, with when, where from and in what words.';
        CREATE TABLE IF NOT EXISTS "whatsapp_contact_identity" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "value" VARCHAR(160) NOT NULL UNIQUE,
    "retired_at" TIMESTAMPTZ,
    "contact_id" UUID NOT NULL REFERENCES "whatsapp_contact" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_identity_contact" ON "whatsapp_contact_identity" ("contact_id", "created_at");
COMMENT ON COLUMN "whatsapp_contact_identity"."kind" IS 'BSUID: bsuid\nWA_ID: wa_id';
COMMENT ON TABLE "whatsapp_contact_identity" IS 'An id a contact has or had: a BSUID or a phone number, each naming one contact.';
        ALTER TABLE "whatsapp_contact" ADD "marketing_consent" VARCHAR(16) NOT NULL DEFAULT 'UNKNOWN';
        ALTER TABLE "whatsapp_contact" ADD "marketing_consent_source" VARCHAR(32);
        ALTER TABLE "whatsapp_contact" ADD "parent_bsuid" VARCHAR(160);
        ALTER TABLE "whatsapp_contact" ADD "marketing_consent_at" TIMESTAMPTZ;
        ALTER TABLE "whatsapp_contact" ADD "username" VARCHAR(128);
        ALTER TABLE "whatsapp_contact" ADD "bsuid" VARCHAR(160) UNIQUE;
        ALTER TABLE "whatsapp_contact" ALTER COLUMN "wa_id" DROP NOT NULL;
        ALTER TABLE "whatsapp_message" ADD "customer_bsuid" VARCHAR(160);
        ALTER TABLE "whatsapp_message" ALTER COLUMN "customer_wa_id" DROP NOT NULL;
        ALTER TABLE "whatsapp_message_status" ADD "recipient_bsuid" VARCHAR(160);
        COMMENT ON COLUMN whatsapp_contact."marketing_consent" IS 'OPTED_IN: OPTED_IN\nOPTED_OUT: OPTED_OUT\nUNKNOWN: UNKNOWN';
        CREATE INDEX IF NOT EXISTS "idx_message_contact_window" ON "whatsapp_message" ("contact_id", "phone_number_id", "direction", "received_at");
        CREATE INDEX IF NOT EXISTS "idx_message_contact_created" ON "whatsapp_message" ("contact_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_bsuid_created" ON "whatsapp_message" ("customer_bsuid", "created_at");
        -- Data. Meta's "" means "no number": not a contact keyed by the empty string.
        UPDATE "whatsapp_contact" SET "wa_id" = NULL WHERE "wa_id" = '';
        UPDATE "whatsapp_message" SET "customer_wa_id" = NULL WHERE "customer_wa_id" = '';
        -- Customers' messages carried their BSUID (from_user_id) before it was read.
        UPDATE "whatsapp_message" SET "customer_bsuid" = NULLIF("content"->>'from_user_id', '')
            WHERE "direction" = 'INBOUND' AND "content"->>'from_user_id' IS NOT NULL;
        -- The 24-hour window is the contact's now: every message is tied to its contact.
        UPDATE "whatsapp_message" AS m SET "contact_id" = c."id" FROM "whatsapp_contact" AS c
            WHERE m."contact_id" IS NULL AND c."wa_id" = m."customer_wa_id";
        -- Every known number becomes an identity; BSUIDs come with Meta's next webhooks.
        INSERT INTO "whatsapp_contact_identity" ("id", "created_at", "kind", "value", "contact_id")
            SELECT gen_random_uuid(), "created_at", 'wa_id', "wa_id", "id"
            FROM "whatsapp_contact" WHERE "wa_id" IS NOT NULL;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        -- Best effort: a contact known only by BSUID gets a placeholder number back.
        UPDATE "whatsapp_contact" SET "wa_id" = substr(replace("id"::text, '-', ''), 1, 32)
            WHERE "wa_id" IS NULL;
        UPDATE "whatsapp_message" SET "customer_wa_id" = '' WHERE "customer_wa_id" IS NULL;
        DROP INDEX IF EXISTS "idx_message_bsuid_created";
        DROP INDEX IF EXISTS "idx_message_contact_created";
        DROP INDEX IF EXISTS "idx_message_contact_window";
        DROP INDEX IF EXISTS "uid_whatsapp_co_bsuid_e2df9d";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "marketing_consent";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "marketing_consent_source";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "parent_bsuid";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "marketing_consent_at";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "username";
        ALTER TABLE "whatsapp_contact" DROP COLUMN "bsuid";
        ALTER TABLE "whatsapp_contact" ALTER COLUMN "wa_id" SET NOT NULL;
        ALTER TABLE "whatsapp_message" DROP COLUMN "customer_bsuid";
        ALTER TABLE "whatsapp_message" ALTER COLUMN "customer_wa_id" SET NOT NULL;
        ALTER TABLE "whatsapp_message_status" DROP COLUMN "recipient_bsuid";
        DROP TABLE IF EXISTS "whatsapp_consent_change";
        DROP TABLE IF EXISTS "whatsapp_contact_identity";
        CREATE INDEX IF NOT EXISTS "idx_message_window" ON "whatsapp_message" ("customer_wa_id", "phone_number_id", "direction", "received_at");"""


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
