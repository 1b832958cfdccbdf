from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "whatsapp_message_status" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "wamid" VARCHAR(191) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "recipient_wa_id" VARCHAR(32),
    "conversation" JSONB,
    "pricing" JSONB,
    "error_code" INT,
    "error_title" VARCHAR(512),
    "error_details" TEXT,
    "message_id" UUID REFERENCES "whatsapp_message" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_whatsapp_me_wamid_e43324" UNIQUE ("wamid", "status")
);
CREATE INDEX IF NOT EXISTS "idx_status_message_time" ON "whatsapp_message_status" ("message_id", "occurred_at");
COMMENT ON COLUMN "whatsapp_message_status"."status" IS 'SCHEDULED: SCHEDULED\nQUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nDELIVERED: DELIVERED\nREAD: READ\nFAILED: FAILED\nCANCELLED: CANCELLED\nRECEIVED: RECEIVED';
        ALTER TABLE "webhook_delivery" ADD "locked_until" TIMESTAMPTZ;
        ALTER TABLE "whatsapp_automation_run" ADD "locked_until" TIMESTAMPTZ;
        ALTER TABLE "whatsapp_automation_run" ADD "event_name" VARCHAR(128);
        CREATE INDEX IF NOT EXISTS "idx_run_status_created" ON "whatsapp_automation_run" ("status", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_window" ON "whatsapp_message" ("customer_wa_id", "phone_number_id", "direction", "received_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_run_status_created";
        DROP INDEX IF EXISTS "idx_message_window";
        ALTER TABLE "webhook_delivery" DROP COLUMN "locked_until";
        ALTER TABLE "whatsapp_automation_run" DROP COLUMN "locked_until";
        ALTER TABLE "whatsapp_automation_run" DROP COLUMN "event_name";
        DROP TABLE IF EXISTS "whatsapp_message_status";"""


MODELS_STATE = (
    "eJztXWlzozga/isuf5qpynZ1nKN7Ultb5dh0j7cdO+tjeg5vURgUmw0WHo5OvL357ytxit"
    "MSAYIZfYkJ6OV4XiH0Pu+h792drgDNfNffq1/AoXvT+d6F0g6gjdiRs05X2u/D/XiHJa01"
    "p6m0V8VHr9HatAxJttDuB0kzAdqlAFM21L2l6hDthbam4Z26jBqqcBPusqH6pw1ES98Aaw"
    "sMdOCPf6PdKlTAMzD9f/eP4oMKNCVyr6qCr+3sF63D3tm3XI6Gn5yW+HJrUdY1ewfD1vuD"
    "tdVh0Ny2VeUdlsHHNgACQ7KAQjwGvkvvgf1d7h2jHZZhg+BWlXCHAh4kW8NgdP/+YEMZY9"
    "BxroT/XP7DuzWimShOpgtxLixEscuAnaxDjLsKLQzU9xf3vCEgzt4uvsDg5/7sh4vrHx0I"
    "dNPaGM5BB67uiyMoWZIr6oAeoiwbAGMiSlYS7SE6Yqk7kI54VDKGvOKJvvM3imjA3xGqIO"
    "x+Prg+fBUA3kUPqEyhdvB0n6OAxehOmC/6d/f4cjvT/FNz8OsvBHyk5+w9xPb+4OpLR2+W"
    "+8YFJ+l8HS1+7uB/O79PJ0Jcq0G7xe9dfE+Sbeki1J9ESSG6qb/XRw21DLXu/Cb0PdhKRr"
    "qu/fYxLSO0TlGvO+lZ1ADcWFv073nvY45if+nPnJcLtYppa+Id6rnHXiL47g3woD6zIBxK"
    "tBHjaxqI4+8DgfB1HGD0ZRK3krllgZiUKQfk45+I2iC+vqSA+PoyE2J8KAqxKev7jEFCgP"
    "bOwXiE7kiCMkhgHQg3uTd3Z0J/eNPBw/wKfp2NFsJN58lQLbCC/eHdaHLTkZSdCrsF1EEz"
    "pmSPKInxRJNMS7TNQt/puGwJX2qvmzdlsDmRD7OPSe6X2QDf9MdCeo5Kci03TcvY0Hl4JC"
    "bheMdakh+fJEMRE0f0np7VNnlo19vF90hQ2jhKwmji+/Rsv69gvdX1xyHQ1G/ASDUP403O"
    "8uzEJ7cx0jfRukqD8Xs3fFL0PZEs27khCJ4t1PctsNvj3y6WAs9oWmWa6JoBLqF1+SyqcK"
    "0/i+4pRCzvPJj3xnQdefQYzj8v3EzlZmpDp9rtNVMVoNh74NNQtPP8qBSf6R+f6eu2ITPx"
    "AaFEffP77tNWskz8IaoF5oseBcwXvUyY8aEozGtdSenHC/SRSQfZb99kE6qU2Zvw6yIyIP"
    "kg/nDX//XHyKA0nk4++80J0Afj6W28TwcTg0LmayBdY/++FybD0eQzY/f2xW463sYK3s+m"
    "A2E+F5BtG2yu4Kf+aIx3ub9FjNryaRxvvpaipxHMeCtIkZhy0F1XpZz3VY05G3wHf+udX3"
    "64/HhxffkRNXHuMtjzIQfz0WSRRhQAw9ANlpEmKlWoy5+QsVjFcBO3PhgnqSni3IBvmgEf"
    "ec90GXMtNrRUjZmQi8lyTTdZ03tDl4FZjHqNy3JNN03TTSHlsGnT3+/7UNIOliqbwjcArW"
    "4aN5fe8iyXovMMJ1HyhUQQSNVG1fk+ZIKQoeDonBsV8R7RE8wh6fB7S1wxSv2oCv31mC9l"
    "uqcUXX6vyCP6Z2B/Sh1aSIGvuLR/huOX5iwoZ0GbyS+0mAXlwTrVBuucBv15wvwymgbvgW"
    "GpIIXn+ed8OsmcPBNS8SFLla3O/zqaalZG+RAfjLWtapYKzXf4sm/xzcAo5XMWcXoiNgzh"
    "E8Q5C1lyokLWBxEPPzsJ369o2P4khvZjfuQ0r/jKn46tc/SbTqAema5RgxyR4phGMd2hKS"
    "4yrBgxjUpxTGNfxYhFQ4tpVIpj+pJkGBLdNonvJ90A6gZ+AYeEmyoGaYwVuAvPeJL4hnvD"
    "WzSkp8DgjL2zCAj0+MByoEC30Jksx+NuWjcuEeN5eMZ2Yhx9hykw9j5OJWI8CM/YToyj3/"
    "MMjLO5SMKDGplzpUywb70TfPoyA5rT8Dj8/eCkM7tFHf2lFgo3wK6bR9+Grc7oqNuoQG2s"
    "LYD4VlxO0FA3GyRBwSsSvdI7gehLn3FykZOLp0aQtJdctPdKQa1HJbnWm6L1FF+nd/ecUq"
    "6LUibvLAFzdhxWTIwHYrEHYhHTDNrOTYjw/k3Xv9EVFdVyZn8JoLMZ/ahUMxh9fL3WMPqS"
    "zKwTQoQrpHSFENZTzCrXdQ1IMF0nhFRMJ2skVpUyfKOmXthvp9NxBPbbUXyUX97dCmiEcn"
    "SAGqkuTZKMfZYROIr+BEUT4JGGJag8TbS+4PLrJkeXM0TIEVnMb0ZFNe1j3BAuCoNHRUd5"
    "KDMxUph5rJeVIq5dJOwNe6eJUzCH3CUv/4oYPHwz/vhDfwthhhL71byMZx7uxxk5zs00jp"
    "H7K2cuzpaTibPH21jB+XIwEIQhTlwMNuO5jKjVl9H9vdPG3ejSdaKKsxvD2HUWOiIq1QYO"
    "qAZCAr1+6JaZLF9ChFu+5Vu+rDmoPP30ddnuRrGZQlSSJ6g1x2mTnBk8qFA1t4XUHBPlem"
    "6ynhXbcI3LHQuHFZMqRF81TKmlV0fgWdt/kVcowdDQchUJwTJpi+YqmCcwvCmmrs3Hhigp"
    "w/HMDbSPBk+WFKMcDeE8zaHgaJxyYjiMhCoP+vNBfyh0k325TJwTlQ5OskcfhZp8n3nQfR"
    "UIvzLovg6Pna+DHF8doSYKLx3RTfgyLtxVxF1FbXIV8eDttmmdJnj7SUq1FLI9SoFA62oh"
    "l1+kd2/oD6oGmL12cbk2eDGiWPeuaBykqFUm2s6xWLi2tGFy2vntuceudI+dUwQWL4lgw8"
    "LLzETFOUXanK+IO3koFMzpGKZlhXO21JjPIp95TjYLcF51h5IQa10xjLTCFiVh1bqiFrXE"
    "V98BRZW6OVyN2+CMiqnZBW05T8N5Gs7TnMhci4an2QGL1WYnRKoK5G3TEkZ7hBAyvu3dGh"
    "iMSKeItjANuHym5BE9FwvOfvsWglt+6PgOjeEuRCxjBinURpiriBwvxPZxqo+d6nMwM9X/"
    "pgB9q24ywxojYvXl5FYf1fhTr3dx8aH3/uL649Xlhw9XH98H4Y3JQ3lxjrejzzjUMaKJZO"
    "yjuZWQUlg6eSjRwrGk/CkIeN6raMpYYGoflWzh1P5EpvJl0Kb10A4usZVLPATcFxX1ELZ+"
    "g6WbTXkLFBsXCXzQqcoL+lVgvUTmQN55Oqr06SJLw/hXZV+hxTYtfYesi8ARy5azHVzYP0"
    "+ty9MEYBddoKZoqnpMyyXAnmLqKWjklX2OFG0C9RvzDT6hLo5Gi+wb46QbJ92a+WVuMenG"
    "g6PapnWa4KjIeJ60dI4XUIicoMmGT3e6XNxOl5PhTcffWsHRxNvlbXTp+kPENKIhWbIplg"
    "TBks1iHVfGKZBZTkb3TQf/Rfjf9T8LCH38s4K/jIbC9Kbj/Kxgfzkcof+cnxUcTgfLO2GC"
    "JP2tFZwvRoMvwuym422s4Hg66C9G08lNx99awcF0sugPFvObjr+1grfLxWI6Qbu8DSQ5mq"
    "Nz479IYtEXl7MxEnA3VvDTePr1poP/ruBCuLsfo1cXP4O7tYIzAZ3Xua6/hfvWQpjhf34R"
    "xJlwP/4N97LYLv9O/Abkfys4nQ3x0zk/6Gl/m6MLood1fldwOZkv7++nswUu5EH8U6QP92"
    "jM+162ed9LmPenV5alQFeeD34WhkuntEqwuYL/WgpLvMv9RYrz67bM/botc6cjz51OPBTG"
    "qDvMsECw6XSoodOZUqq3DPqTgTB2dgWbWGIgIGlHyt0q0hHKp+a5q6l2V1PSkqNFPMUG5I"
    "AfB/xJ2rGGmO9eAW/cGdKgCPPzn85pBpCfzrNHEHwsNiUCu72G4GD2OyUE2+d7ujqn6c2o"
    "VSbgzrEMwDUJbuzUNbcoQCeF2wd8+V9KA+y1g4hsNebhJCnZQryrGVmeU+iO7Kpbfvs2wJ"
    "vHYlRRdAun1qamuudWwPdFXpXBcjrIV5KqgoPjMNvLAj0pw7Evjv1eOmi6lDKa56zkHIpw"
    "5F9ZUhHBqqTMXjLDZ6JCvChYMjDGRchSLY2tTGtUrA0f0Bom4i5qChqLVS2FTDtSHpQUbA"
    "Pgdc9YooEWCfSPVAqNC/P0zub4wZLuTxNXEypQDzYU4/ptsn4VoKnfgFHIwR2X5Zpusqax"
    "s76Akgkxrt8m6/cBTWmKFXUmBbmOm6xjMrKQ+T2OiHI9N1nPkoW9BWnVMjItdFKkvvyWJi"
    "85F1mpGFmEogdRgZcnRZy/QE1+gTQgmUAsnkuTJs813mSNqwp6OXULQPkgPoIDCweXItq6"
    "+INqVktCz2la4lYytyx4x+XawMFVnRaILodMbTOj+niuqzAixz0nr/BZGaqM74cBfkKEI1"
    "8ceb5YRFnpTSlhNWygxsQ4qjHfSCRFkhbUqBTHNCPsjg3UmBhHNXdxE74QRDULQaQMDiVi"
    "3LqCi3GMoyMjBcb+W18iyAvilO1EOTZUUsDsTwNKhLl1hVbjKMemTswrx/BayizoJ7qryi"
    "sC00Dl5hiWjNU8SFxsCWI1FujxsDtepicEmb5YjximlJZbs+ePMJnLu8S/88r4+LfjDY2y"
    "bBsGdQUVr7SLfw6fjOdlVHgZldPKxzzNgho0ZVRqTgVtnGarz9nilQV4ZQHnGPnxZBxhY6"
    "ItHGJPZEiljQZT9yqOtGYuaJAi2j4vbAUVJLgX9s19gdwLyzMHeeYgzxzkmYOnlzkYZXlo"
    "mZaoFPfj5vpxiSLc3C9D55eJcY+kW2bQnw/6QyHPK1MHE+y7eXM4YMITTMH+Ep7o+kq1R/"
    "3lRHlcGorXLxvuncOTzqF5M8uHF7uwxzEfvy6nlzm93Ezuo8X0Mq/S3TatpzBgCVd1A2qo"
    "NmzKUzUB9qC5K1TQwuy3bx+21awih+BC06lHkFF3PhvkUKptqUu99+8pgEatsqtw42On7i"
    "zruvXRGSdjntRNx/3FVd/v7seCUxs92FxB4df7keMQ8zbSXV7NcG85xQ/TylMeqZeYWqGS"
    "jf8tprhwUr22Vc1SofkOX/Yt5tWV0MKWtEl5k7K14bdvhirw9VqjCk0ykXkN17oNi8yFU8"
    "R50nNz5r9Jswd9iIxiZk9Ukps9TVE7jbEr67s9JigLkRwxWf5+N/n95nmvPO+tef4Sqrw3"
    "nsZSQW6G56nieSwZWNXhiwuyAXOccWTGIIU3jsxZLD8LY+1H+PmrvQQLkMQzMrjriruu+G"
    "y+xEked139FbVO47oihmX6jJg1X32OwVeFl2phhJgQaZ/HqvyiZKzrzr1qublmd99KglWL"
    "LDP36tXlmo1z+f6kPFdgJnd6ArlyjRmHZQTFRjeYSnKSMu0bicvHeC8ZaMsCBl5VZZc2lc"
    "wJhUmRrdGvfT+dj/DK4P1xVdZa9R7p3V6H6VRWnlOalOLO0NKdoX/akqZaB9GUdYPpE5oQ"
    "bN8IVMUqrf8BMrZGkc1mpmVH5iWjJkTbh3j5s2/zAOVivl9SkDsAm8MSJMkhA+z0out9kJ"
    "Jcy03TcsIlSeMw4/6ft/P/9IGhyttuitfHO3KW5+uRwjZV5lsxeXAyc7ZTGbCUXG2vW7zO"
    "c1PlF7iUTO1shw2u6ZBaCSJ7rkOItJA86F1d0cRqX11lx2rjY9F5Dn6pGBD2mrcQ3XOqSP"
    "jznEj482Qk/BsuP980tOswUBk+++V/zF7+DyMjG5I="
)
