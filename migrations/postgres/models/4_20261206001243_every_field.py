from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "whatsapp_business_account" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "waba_id" VARCHAR(64) NOT NULL UNIQUE,
    "review_decision" VARCHAR(32),
    "last_account_event" VARCHAR(64),
    "ban_state" VARCHAR(64),
    "ban_date" VARCHAR(64),
    "violation_type" VARCHAR(128),
    "restrictions" JSONB NOT NULL,
    "capabilities" JSONB NOT NULL,
    "pricing_tier" JSONB,
    "details" JSONB NOT NULL,
    "last_event_at" TIMESTAMPTZ
);
        CREATE TABLE IF NOT EXISTS "whatsapp_group" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "meta_id" VARCHAR(255) NOT NULL UNIQUE,
    "phone_number_id" VARCHAR(32),
    "subject" VARCHAR(512),
    "description" TEXT,
    "state" VARCHAR(32),
    "settings" JSONB,
    "participants" JSONB NOT NULL,
    "last_message_at" TIMESTAMPTZ
);
        CREATE TABLE IF NOT EXISTS "whatsapp_phone_number" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "display_phone_number" VARCHAR(32) NOT NULL UNIQUE,
    "phone_number_id" VARCHAR(32),
    "waba_id" VARCHAR(64),
    "quality_rating" VARCHAR(16),
    "quality_event" VARCHAR(32),
    "messaging_limit" VARCHAR(64),
    "name_decision" VARCHAR(32),
    "requested_name" VARCHAR(256),
    "name_rejection_reason" VARCHAR(256),
    "details" JSONB NOT NULL,
    "last_event_at" TIMESTAMPTZ
);
        CREATE TABLE IF NOT EXISTS "webhook_dead_letter" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "item_key" VARCHAR(255) NOT NULL UNIQUE,
    "field" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "position" VARCHAR(64) NOT NULL,
    "context" JSONB NOT NULL,
    "item" JSONB,
    "reason" TEXT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "replayed_at" TIMESTAMPTZ,
    "delivery_id" UUID REFERENCES "webhook_delivery" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_dead_letter_status" ON "webhook_dead_letter" ("status", "created_at");
COMMENT ON COLUMN "webhook_dead_letter"."status" IS 'PENDING: PENDING\nREPLAYED: REPLAYED\nDISCARDED: DISCARDED';
COMMENT ON TABLE "webhook_dead_letter" IS 'One item of a delivery that could not be applied for a reason a retry will not change';
        CREATE TABLE IF NOT EXISTS "whatsapp_call" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "meta_id" VARCHAR(255) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "phone_number_id" VARCHAR(32),
    "customer_wa_id" VARCHAR(32),
    "customer_bsuid" VARCHAR(160),
    "direction" VARCHAR(8) NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "started_at" TIMESTAMPTZ,
    "connected_at" TIMESTAMPTZ,
    "ended_at" TIMESTAMPTZ,
    "duration_seconds" INT,
    "permission_expires_at" TIMESTAMPTZ,
    "permanent_permission" BOOL,
    "history" JSONB NOT NULL,
    "contact_id" UUID REFERENCES "whatsapp_contact" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_call_contact_created" ON "whatsapp_call" ("contact_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_call_created" ON "whatsapp_call" ("created_at", "id");
COMMENT ON COLUMN "whatsapp_call"."kind" IS 'CALL: CALL\nPERMISSION_REPLY: PERMISSION_REPLY';
COMMENT ON COLUMN "whatsapp_call"."direction" IS 'OUTBOUND: OUTBOUND\nINBOUND: INBOUND';
        CREATE TABLE IF NOT EXISTS "whatsapp_group_receipt" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "wamid" VARCHAR(191) NOT NULL,
    "participant_id" VARCHAR(255) NOT NULL,
    "participant_bsuid" VARCHAR(160),
    "status" VARCHAR(16) NOT NULL,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "pricing" JSONB,
    "error_code" INT,
    "error_title" VARCHAR(512),
    "message_id" UUID REFERENCES "whatsapp_message" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_whatsapp_gr_wamid_10306f" UNIQUE ("wamid", "status", "participant_id")
);
CREATE INDEX IF NOT EXISTS "idx_receipt_message_time" ON "whatsapp_group_receipt" ("message_id", "occurred_at");
COMMENT ON COLUMN "whatsapp_group_receipt"."status" IS 'SCHEDULED: SCHEDULED\nQUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nDELIVERED: DELIVERED\nREAD: READ\nFAILED: FAILED\nCANCELLED: CANCELLED\nRECEIVED: RECEIVED';
COMMENT ON TABLE "whatsapp_group_receipt" IS 'What Meta reported for one participant of a group message: sent, delivered, read… once';
        ALTER TABLE "whatsapp_message" ADD "group_id" UUID;
        ALTER TABLE "whatsapp_message" ADD "deleted_at" TIMESTAMPTZ;
        ALTER TABLE "whatsapp_message" ADD "revisions" JSONB;
        ALTER TABLE "whatsapp_message" ADD "edited_at" TIMESTAMPTZ;
        ALTER TABLE "whatsapp_message" ADD "origin" VARCHAR(16);
        ALTER TABLE "whatsapp_message_status" ADD "recipient_type" VARCHAR(16);
        ALTER TABLE "whatsapp_message_status" ADD "recipient_participant_id" VARCHAR(255);
        ALTER TABLE "whatsapp_message_status" ADD "recipient_group_id" VARCHAR(255);
        ALTER TABLE "whatsapp_template" ADD "status_details" JSONB;
        ALTER TABLE "whatsapp_template" ADD "components_update" JSONB;
        COMMENT ON COLUMN whatsapp_message."origin" IS 'API: API\nBUSINESS_APP: BUSINESS_APP';
        ALTER TABLE "whatsapp_message" ADD CONSTRAINT "fk_whatsapp_whatsapp_fa6b0dae" FOREIGN KEY ("group_id") REFERENCES "whatsapp_group" ("id") ON DELETE SET NULL;
        CREATE INDEX IF NOT EXISTS "idx_message_group_created" ON "whatsapp_message" ("group_id", "created_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_message_group_created";
        ALTER TABLE "whatsapp_message" DROP CONSTRAINT IF EXISTS "fk_whatsapp_whatsapp_fa6b0dae";
        ALTER TABLE "whatsapp_message" DROP COLUMN "group_id";
        ALTER TABLE "whatsapp_message" DROP COLUMN "deleted_at";
        ALTER TABLE "whatsapp_message" DROP COLUMN "revisions";
        ALTER TABLE "whatsapp_message" DROP COLUMN "edited_at";
        ALTER TABLE "whatsapp_message" DROP COLUMN "origin";
        ALTER TABLE "whatsapp_template" DROP COLUMN "status_details";
        ALTER TABLE "whatsapp_template" DROP COLUMN "components_update";
        ALTER TABLE "whatsapp_message_status" DROP COLUMN "recipient_type";
        ALTER TABLE "whatsapp_message_status" DROP COLUMN "recipient_participant_id";
        ALTER TABLE "whatsapp_message_status" DROP COLUMN "recipient_group_id";
        DROP TABLE IF EXISTS "webhook_dead_letter";
        DROP TABLE IF EXISTS "whatsapp_group";
        DROP TABLE IF EXISTS "whatsapp_business_account";
        DROP TABLE IF EXISTS "whatsapp_group_receipt";
        DROP TABLE IF EXISTS "whatsapp_phone_number";
        DROP TABLE IF EXISTS "whatsapp_call";"""


MODELS_STATE = (
    "eJztXWtz4ria/isqvkx3Fdub0J3MDGdrqwjQPZwmkAUyl3M45TZGCT4xMmOb0Oxs//d9JV"
    "/wHcuxiXHrS2JsvZL8vLYsPe9FfzXW+hJr5rvORv2M9402+qtB5DWGg9CVJmrIm83hPD1h"
    "yQuNFZU3qvTkFFqYliErFpx+kDUTw6klNhVD3ViqTuAs2WoaPakrUFAlj4dTW6L+ucWSpT"
    "9ia4UNuPDPf8FplSzxV2y6PzdP0oOKtWWgr+qSts3OS9Z+w87d3w96H1lJ2txCUnRtuyaH"
    "0pu9tdKJV3y7VZfvqAy99ogJNmQLL323QXvp3LB7yu4xnLCMLfa6ujycWOIHeatRMBr/9b"
    "AlCsUAsZbonw//7XTNV0ySRuOZNO3PJKnBgZ2iE4q7SiwK1F/f7HoPgLCzDdpA95fO5M37"
    "67cMAt20Hg12kcHV+MYEZUu2RRnoB5QVA1NMJNmKot2DK5a6xvGIByVDyC8d0XfuQR4NuC"
    "cOKjg8fi64LnwlAN6AG1yOibZ3dJ+igNngtj+ddW7vaHNr0/xTY/h1Zn16pcXO7kNn39j6"
    "0uHNst84rxL022D2C6I/0T/Go35Yq1652T8atE/y1tIlou8keel7TN2zLmpQ8qB19j+i7+"
    "5KNuJ17ZYPaRnQOke9ruWvkobJo7WCn5etn1IU+2tnwl4uKBXS1si51LKvfQvguzHwg/qV"
    "B+GDRB0xvs4Ccfh98CF8HQYYvkzSSjZXPBD7ZYoB+fgn4mQQX3/IAPH1h0SI6aUgxKaibx"
    "IGiT7ZrhnGA+iRTBQcwdoTrvLT3Jj0O702osP8nPw2Gcz6bbQzVAvPSad3Oxi1kbxcq6SR"
    "Qx1ZxpTkESUynmiyaUlbM9d3OixbwJfaecyrMticyYfZxST1y2zgZ/0pl56DkkLLVdMyXe"
    "g8PPkm4fTEQlaedrKxlCJX9JaeVDZ6ad1ah8/IRH5kSqJo0n46a7/f8GKl6089GPSG2LLY"
    "miyyQIwWaqatFXd2cdC5vIQx0BM4tm5sjAlGMN6ukf6AZAT1qs/Y2CNrJVtI0bfaEhHdQg"
    "uMoG1NxUv0oBtQEEZsExZd9MCC4jtV01hBZSWTRxwer8tpZU7eqJaJzJW8wW/b6AlvLGTI"
    "OyhmraBq7Ig30W6latg5Y1q0D1TO68VONt12m0gm8CUy8EaT99ANHb6sUBgpMqG9eyM/AL"
    "DQH5govn03J3Pyhd4VXaV/QarJmqAnfoBeMdUgdYmJpVp7NN+2Li4/oFtsyXBV3xG4BB3D"
    "BqsfJkXQFm0ArbFpwnPzgzknO3mt0i7RyqytCXLsDO2jc+ptE8GTgIP3Qy/D66KyZbHTrq"
    "mzzpnwkKGFvGS9nBNHBG7U2qn0TqHf2EKyCd1m987wYPhTQByUTNpjevVdo5mFX/ircXgx"
    "Gna/qaBv9UoF8FeYgJsm9Nl7gw48xFf/gy0d6nAH1warAB519uObYDQEo1HRVVl9GY3tZp"
    "lT60FJofWqaD1mIuX03jeiOt8/HhrAL1M7GqB1dZVh5QmlEtee7Fpw9fng4pgVYk+gyqv/"
    "yhAtT3BfXDyWU76G4BZPFLpTUS4u1idTQ5CLf4KhOQsmwFGM/z4djxLmWgeR8CdXVSz0f0"
    "hTTassqH3T3MVW1SyVmO9os68x06UQBb62LtBvbju/h3XQHY5vwp9RWsFNSCH0G8ejDbf8"
    "i1RxPnxRKZjb6/0o6jN4zJMYO1eiFqNM2ryy//ssHXBvWjkcjz65xcNaCBkovIV4LguFJ3"
    "068Bt3/VFvMPrEOcy4Ym3kHMzJpH837PzR77WRezQnvcG025n06EnvMI/toviPsGzB+LKx"
    "YnQ1IAnvhl8kpCDodVkKuizrA/xIe/AfrcsPP3746f31h5+gCOuld+bHFMwHo1lkrLEpwl"
    "xmgoCosBNUZ3kbZTVcVlXiow5DYi/gEM9Ht0cYw4j1JQpyFOGPuoHVR/IZ7yPfkhCmYbvJ"
    "ocazBPhw9tBFQ955nHb4CQMk4Ay2GBbQBzS6Hw5tJvwVLVyOEtLsWwc9ZbFu+UqX6RKZYL"
    "IgMJGUnO9iRruFShb6V8diIRFnvSXMFsJscVYLizMlsLOYLZZ4ud1gXgo7KFU7ErsEXzZ9"
    "ayhcHq8HiRMuD3cr2TLph+gkML9vZYD5fSsRZnopCPNCX8Y8x8kEiFte0B+C/uCiP+4m42"
    "5/OqVUh3c4Jx87gyE9Zf8X1AeXci7KGnMKpj6YOys2DN3gGWmCUrke+Wqu1E423IRXH5yT"
    "1BhxQT1VmXrSdIV6E2+JpWq8yg7LCk1XWdMbQ1ewmS+4ICwrNF01TXO4nfuXpZ6/a8zM5c"
    "aR/vh5gjU5wVMizZP8LJ+ACCf6rVQSky4FO5tNh8ja3lIVs/+MWctRLjO+ZDOV0nQWmpLs"
    "CknYkzoZtelGlfL5YrOOSvSM5AimkJp0nPO1GKTK1GX29ribMu0qHYI8zy26NfDfpU4sUO"
    "ALmnZrON60YI0Fa1xNPqbGrLEI3y83fP886OIz5uNh2bDBhqXimNllspdiUEq4jaZzPDlc"
    "GBWZxYkv9hIdftZsai8ZW8LpfnKkGuGOEvWePkzXMoMckBKYBjF14lg5MQ1KCUxDX8XAii"
    "YrpkEpgWmqK5rzAEbx5fdEc1iB20ONZ4nvUU+04Dub4IgW8xgXiPH0UGM9MQ6+wxkwdj5O"
    "BWLcPdRYT4yD33Nuh0qfxTkw53opfeuSi16lk22NHvTTULgedo00+vZQqpmNug0KnIy1xY"
    "R2xeYEDfXxESQy8Iq+p9KpQHKlm4JcFOTiuREk9SUXRSaNumk9xjYcyaQhKOVyKWV/zyIw"
    "J/uthcSE4xq/45pvmpH14faJiOc72/MNLS5Z0gwuRj8oVQ1Gn7ZXG0ZfVrh14hMRCilcIb"
    "7VU2hVrusalkm8TnxSIZ0sQKwsZbiLmtPCfjMeDwOw3wzCo/z97U0fRiimAyik2jRJ1Fdc"
    "AXCW+o5IJqYjDY8Tfpzo6Zzxr6vsjZ/Lo/D1qKiqfYwrwkVR8DLRUQ7KXIwUZR5Py0r52s"
    "7j9kat074quF3uos2/wAePdsYdf7J3IW9uW9qaEyEu3P0EIye4mcoxct9zpOfkfjRiZ5yD"
    "OZned7v9Pktz5R2GYz+h1OfB3R0rYx80sj1EJUeDHnzXeeiIoFQdOKATEBLw+kGXuVa+Ph"
    "Gx8i1+5csbsyvCdV+WHcDIN1MISoqAvuoYbaIzgweVqOYql5pDokLPVdbzcmvYi8s1D4cV"
    "kspFX1VMqYVnkxBR7t/JKxRhaLJyFRHBImmL6ipYBDC8Kqb2mo8PUb+MwDPV0T7oPFmQj3"
    "LQhfM8h4KjfsqR4TDgqtztTLudXr8RfZaLxDmS6eAsn+ijUPvfZ+F0XwbCL3S6P4XF7mZr"
    "qgSbZkdR9G16BpBw0WYmq93CkZJkn1iZdjthQxI2pGp+A2tsQxJe3XXTehav7p28kGMXEc"
    "nGJp+ISCwdMjNFE1kY+FnFO+i3osYHlSYDHSNaB0NH2TmmWSZXZ6oiJawskkGPl64f7sU/"
    "6QvZdhPislwHhATK2VBe5gB5KTDOjPGzqtu+pjZMHEhHJeuHd1nOGNAH/liEsJxwywhMPI"
    "vJ+bSRF6qm8ibjCstVQzW1Sse1gUcf+iMBxDGOM2l50oJyYlfX/DpYYktWNa43wyciXorC"
    "FWLv5MCYcX4uIyIsbPbVYS9s0oojuugU9HtX1rRGCufOrjczEe2KW/RkQTEvCUKhveXIA1"
    "1Aom27RRGCIswHgkg+5VAszAffo9azmA/WMJPlNB/4RGpnPmhdXWWgRqBUIjXCrgXns09w"
    "Z/EAHw/tcmVPGNjV7QyHnB8sJtNG9O+c3PUnt4PpdDAeSZP+3fAPGuoVPNPIoZniI7U2AC"
    "iWQAMLbHC+AjGi9aMJizfsKFvT0tcA2Y53zIlKCrw58F6Y25x4e5L1w/vy+iLTkHKRMqZc"
    "RJKAqQZW4p1Osw34gQqqnJqqMb6f3YzvR702co/mZDByTjkHeUb6LMaJZNNEdKePlNDqxP"
    "C4k4dTn/EoI+IQ60rUhVyPCQxM+WiBkKzQdJU1jQHCPFr2ywkNV1nDXtQof9K0OFERdRqN"
    "Ot1gY63aWyrgrxuY05l5tt5NqkS8XlV+vajaZEItkAcFRlWfmg0yqYp8qSHPR9cFZoZcqb"
    "CENfZR4JPN+j6Rapj16+WGJGKIy455FfGBdYwPBB2Y8CnormTCZinJngqBgs1sLgu2jKQc"
    "hI45LzTGBCO7PNIfkIwcDH8w0Vo2nmAGQh6RU28T7VRrhXYrTJr0r4HRg6GvkUyWSCWIdg"
    "PtdGNpvgtTReW0MidzMmU7uZpt9GVrYkPaGPgBJOB1ML+gN7fYkqGJqaVv/nOCze0aw3Bs"
    "WdDO2yb68oT3tB4oZ62gdw5LinaGbmGoeDa+Q7qBYAIxmdHiiqZvYUm0UZ2KETRFN86Eu4"
    "FuL+1eX76/vLi6eMu69gWWUNsNlqCdL3CbT9iEoju8WOn6E4JP3RpZ9F5UE4FG1Wfo9hJZ"
    "O1XBULMCHUO6BxoD9JTeJO6DJDYWr863oincPL4jg3/WTKMJERHZEo1Wfk+Yxvhu1u9Jg1"
    "EbuUdzYh+N72fuSTick/vR59H4NyjoHOQxVxRvmBZ7k5dssbDdt6MAp23S40rUwQ6aNpyV"
    "kalSV5StYeT61IREa/itOZNvSzZi2Zu98oxeQalCXrC6u5S9MpdyRu+Q2FFeEFSVfmhfwl"
    "DF5mITO8yXs8P8q5OAlk3KpdF/7quQjfjzSp8uXClP0JAglKoztjcFoSQIJRE3VGutZ4kb"
    "4vYoL9aRvELru1LcyDeyQW0p3CiH5erAVp0AbmoH5N2yyS9TQ5jLyBHEHfZTbLRPhQaN4j"
    "ntjaE/qBrm3nksLFe/R7l1lcVCA6VSCLiIjcaSH7kyxrjlhV9ZunUhb7oYlSz0LckzC40R"
    "F+611Zl5RhccnveP63ISP9wdt2bHVnTCQGu/0fk7Mm9HYM/x0ibVId7cs3pzJX5Xh7Q66j"
    "d3KWaeGDHIJFPZoS1dYuY4N47cx88TrHlb4Xyf27kEnm7ftjnGNi4Jai7kvEon2yx7Dp0j"
    "cDQrWEFwubna6ohSwFG7KLzCHuNnxrBmQk5dwi0mZL/NCRo1SA3savd1hc0xihYEWu1syE"
    "GXTdd+WQhWU+wF/NUEqxNayL3X8ril3P8GZ7eYS6pf7GiwTIcgdXkIX0Er2aQxIit52Yaz"
    "N9P7QY/+lhFLKoXspFJNhGVlhaD7NMqFBXXY4tEwmYLrZ1EoBsywbafLLzTWxMQWi61BLO"
    "jFaWetP2Mab4IsHclEp9Z/2pE3MiJ45zVj/2K9ePu3OaEVGPoOwYp8bzaRqbMqdW1JRU1L"
    "1TT0AM+uSU+vm4htvAul1ph2ERSD7e5AV1YgRPuuWqcOdHHV7/egEA4JwiHhrGYAZ2qazu"
    "KQcF7pFnPEt7DRtI2YkXdOfutI9JdnKnvldFvPsrbl23HFFahdMtFSTNWHTzPvmBaUFExp"
    "lZlS4d8vfNGrsHBr5vBFf10/6U+Gvt00UtZ+doFmphXfo1dW7JYsVglilXAmn1jhtvw9aj"
    "2L27LY7qD82FSRV//kGZi3i3/juJlsSsaIg0j9EL66zAIxlErEmF0LJ4049CwCdFrmiIBY"
    "HcA+dfoI7j2pa7wfdQmDB7aoOxWXN7NfRmw9+oLtX2XDUhV1I8d6WqVs/xqSE17lhauGuY"
    "W7ceE5vcqD4oJxrc7CwF4P5vKLFG4xr+/qwTi8CVYw9LtxjOtzyzWzU36S4ZM56uFBW0NO"
    "es+NTnc0QQ+6wbwqfAO1ncSUVY+cZ6iN7OSlXi7PJqJL7/m2ddG6BnnHQOn39iixrTlhPi"
    "Fv7CcMbWheU3mtQkF7QxyWTdXXyNt3aLbCbv0/mEjfEeSk0J6TN19Cj/iUVfLlLXrCeMMc"
    "PNCDapiWcyO0y6x9u7G/0QImZoURhg7v4RZ/MJN8Pf7ZYF2lV3279xz6SheT/0pzCAllAP"
    "FlHcvgEeI8Ld54747mwitE8L2C+asG3+uND9ljj9dFsn6vrdmgZ8LPl1k8E36+TPZMoNcS"
    "FzO8tF9EsoaYl8O1+pDLkywiKlw/yqQUN5y0XQWz5VGu/g6DjWn3l37vftjvtZF3OCf/c9"
    "+/p6fs/3My7Y96g9EnKGMfsDMz9nM2J73+cPBrf0IFvMM5mfQ7cIL+nZOPnQFrwv4/J93O"
    "qNsfslPeIZXo9kGaSdlH4blxtmeh6GhWkdu2xgRBMMEGjJVwrxElp9B0BxHBkuan4rBh6A"
    "bAuowxAiRuVBcUElvURTfIshGyVEvjMq6ExOo3XyjFeihyC5fuzyny3haZ97Yi7py3eKnK"
    "jRSK1y7QzMTtrr2ywp1T0HuC3juT6XkWeq8Kjn1R7b6eZ9/1hwxzmOsPiVMYeqlybn2Ve5"
    "9Kds1JjmSMx/kcohdzk3hFEzdrGMNtiHjGDL9QHWEuI+1rrrykIikpf1JShpmp/m8M0Dfq"
    "YyJVEhDLxZRU7qG2qZKfW633739sXby//unqw48/Xv104XEm0Utp5MnN4BPlTwKaiBIq5k"
    "oGpfA85AeJGo4lxU9B8NeNClPGHFP7oGQNp/ZnMpUvwhXvNLSDzfykEg8eOZSJejiUPtlu"
    "Owczo6ms8HKrweL2QTeyuDS5zJBdheTJs7uLd2uib2ps4wQKwZtn4fXGyuhRFWp+uU3zp0"
    "psWMOyiSXfu8/fMqsie9t59jdyWzy+v1G4MWf7ccnL/cGXyMhr2K0nfw8894F8PWDiOZp/"
    "QRYn7+Yz7y4Vfszsyl/UuFsHf+PeM56zYfvp5m7X9o59yS3bNbxQ1TGEwhLeccX1uWYOmc"
    "+5n4UdDKjwbUrunKB4BcVbzXlgjSleEbFfN61nidgPjOt5fO0CFVR5md0Y389uxvejXhu5"
    "R3MyGDmnnINGtuehzAxvyZzpcWWcA3XKgpjbiP4F/G87n/qAPv03J78Oev1xG7F/c9K57w"
    "3gF/s3J71x9/6WOT66R3MynQ26n/uTNnIO5mQ47nZmg/GojdyjOemOR7NOdzZtI/doTm7u"
    "Z7PxCE45ByA5mELd9C9IzDrS/WQIAvbBnHwcjn9rI/p3Tmb927shvLr0Huwj5nDZtdt1j+"
    "izNetP6I9f+9Kkfzf8gz5loVNuT9wC/l9zMp706N2xf3C3f0yhQbhZ9p9uPzK9v7sbT2bU"
    "a9P3I88z3MpCJrWSyaRWhEwSHrzCg1cYNl/HsBllLrIiHpWsn22oRLy5Y0SikvXDu5QAkR"
    "PHm1V4r8tSgs0omawBHNx25Yhg/Z7nUhyYPdw0mTxuY/1sM4DuF64f8MXPTQy80fYSrI65"
    "h5OoZA3xLmdk+RpDMCUn+HLL1wHeNN6ojMxelHCP3cAzOabKJyJiqvLHVFHnV8qv80Dvlx"
    "HYvyTr117T5ZjRPC3hlycikBeRhCKSsKrIlj8Rt1Fbwlisxu2amTxRiQjWAfBTz1iCjlQR"
    "9NPtkBFhkRKwOpbHqME5597kYjvyM9Gvlwovh5LDskLTVdY0dY/ItWOWLPR7Dvp9gClNrt"
    "c4ICh0XGUd+306ud/jgKjQc5X17AQKxCxtElfofpHTxa9dlKTMolfn4fALzpcnRly8QFV+"
    "gSJRL5wKj5MXGq+yxtUlvJy6hYmyl57wnoeDixGtnf9BGTHtBob7NC1pJZsrHrzDcnXg4M"
    "oO+4XmYKltyvFe4KmmwoCcsJy8wGYlsl++EvK6oT6quaMfDtIVHmkanbtBG8Ef6m0+HYz6"
    "06nUubuj3uaHX408Q3/hDjl4qeaLQQoIiulUladTdhLEnKwwFlo+Dy0b+Fm1I4I5vmkBIf"
    "FVy/9VC8ZzZw2YDkWBi3y4AUz9wflZEfXLCDwTnG/5IA2JCVTD+43682ZkBTUoJTBNcM7n"
    "AzUkJlBNzS/ufHyiAOfOL9491HiW+B7NLx78Xgfyi0MX0Oh+OGzEDQ4FYjw91FhPjIMjYw"
    "aM3be+QJBnvirriXJoqMwAszsNKBDm2u9HEJo6ZUCZzV8LhPiTW189AfZP9xPQpV/AY3sg"
    "42ccu2N5nh2QO0TW9paqmP1nfI7O9EnQh5e7zC1UWcmksL2ju3alXVZnTYELbMdcEG7hXa"
    "FrCBsdSFWxR3kWqOxMLgVjNfXSw9QEMfpVOFHSXQe746l3DyBnT8ArHRL3FJuHN7oDeXn7"
    "jTvZO8V241VhDZpIJKv8ftIWiu3Gq5CnQeRvE/nb2DWxA/N3Y7FX1I1Kl9HcaeNiRCvsD5"
    "VzmC0+b9wBNu7EcTGi9UO8lMxxB+QYUrkwdyXrCHnxObZc1JIdKLJgnuJKUQPcW1dXGYCH"
    "Uikbll0lQ7+RDUuFHzKJ9wnKooBoHUINmdQgHOy5Jk7Cwb5WyIukUCIp1AlHcJEUqnZJoY"
    "JkflZCPSglnO9Sne98+ycKZ5p4G10z5OsRMjH5vT26nWm30+unOXucwuB3R7dPGLHdExop"
    "5j5/sWYmY59/X4biTX0hu56wrwn7WjXJ3xrb18RmcHXTeowJIGYzOHOjyfvI+J51cZEkX4"
    "wNsEI5L4o3BVRgl6SKzcPKRnwnL3jNXD6R+iFcfGKRP7eyplp7CRCJpd6SgY5K1g/v4i0t"
    "Lmr4OXbTh+Nwe4L1Q7v48cNe/0EPJE1dq1x4x4jWD/HixxP6H3qtqPExbMl4RwTrh3YZzg"
    "kslRZM5Xn3AItK1g/v1lWW4RtKpRgKIwM4e04N/G97Q2U4ks0cD3pcBUIBmRSQyPAnWwmT"
    "uX0+K2GuZa6PYFpsVQ0mS+Y72uxrcEylGA812bTsaUmeTJthYZExqDrkg805RUwSr8uYu9"
    "HsKWy5L+A9A1PuC7gvlSQPBL8E0wL4CLkssS9OuLtbhyPN7i4+/oW+rr7GD57f+Rp2gm+4"
    "2w3yjnDrHG0eb0wYIYQRQtDRBX4RhBHie9R6FiOEYMJPvdJ/0EATHDC75euHbSm5zClcMH"
    "d7wlxL+aBU3ZLGty6yRHZAqeTV+0UksuP8QhYbne5s8GufczLmSLWR/X9OuuPbu2F/xgIK"
    "3cM56f9+N2Bhic5BfOBhI89rUrjpgm07Hbcx+JGdqmP3BhfEy8uJF0t+5KLB3PLVUAVtrz"
    "aqYDSWShb6luSZC8eICx6sOvPf6LIHPkRGvmVPUFIse6qi9iyLXUVfb/LmxQ/Live7yu+3"
    "yM1eejiDyCVcTi7hZOuMSF7JA35ceJPIJpiA1SkMf16G5RTLnz8LcwbTnz8PdPG58DxHVN"
    "fFRpPJ45YqPpwXT5iuhOlKzOYLnOQJ09X3qPUspqtXCCmonHZL97q2eCH2idTPYlWOlzUP"
    "vC/y8a3241tKLglvosaBsV+mhjgXb09KMwUmcqdnkLG0MuOwAlA86gbXZuh+mfqNxCXEhM"
    "oGHFnYkB50Yx03lUxxhYmRPaFd+248HcwG41FnWNZqrXyL9Hqjk3gqK80o7ZcSxtDCjaFu"
    "qKKp6AbXJzQiWL8RqIzcnTSUCFaj/KFIMaL1Q7z42bfj/p4jECkqKbIWvmQDZXcgd6ID8n"
    "0FfMJCG/m1Ye6Jks8jwi8ozOLV4c6ilKmB1/pzLiUHJYWWq6ZljiA/YRWtglW0gw1VWTVi"
    "bKHOlWaaBVQ+lKlMXsDERMOxvHBMgmHnsXiZPbPMeWkh6YWTzZg0ETln1g2fSA0ptVIyxd"
    "OXigNhp3gN0b3MFB9ymRIfchmND2ERA3GZkY4EGcTmRDoBmXPmE/hXje3/9v8q1awg"
)
