from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE INDEX IF NOT EXISTS "idx_event_message" ON "whatsapp_analytics_event" ("message_id");
        CREATE INDEX IF NOT EXISTS "idx_event_source_created" ON "whatsapp_analytics_event" ("source", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_contact_last_inbound" ON "whatsapp_contact" ("last_inbound_at");
        CREATE INDEX IF NOT EXISTS "idx_message_template_created" ON "whatsapp_message" ("template_name", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_direction_created" ON "whatsapp_message" ("direction", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_number_created" ON "whatsapp_message" ("phone_number_id", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_message_type_created" ON "whatsapp_message" ("type", "created_at");
        CREATE INDEX IF NOT EXISTS "idx_session_last_inbound" ON "whatsapp_session" ("last_inbound_at");
        CREATE INDEX IF NOT EXISTS "idx_session_number_updated" ON "whatsapp_session" ("phone_number_id", "updated_at");
        -- Hand-written, PostgreSQL only (Tortoise cannot declare these):
        -- event name patterns with a literal prefix are ranges in byte order (COLLATE "C");
        CREATE INDEX IF NOT EXISTS "idx_event_name_c_created" ON "whatsapp_analytics_event" ("name" COLLATE "C", "created_at");
        -- tag filters are jsonb containment (tags @> '["vip"]');
        CREATE INDEX IF NOT EXISTS "idx_contact_tags_gin" ON "whatsapp_contact" USING GIN ("tags" jsonb_path_ops);
        CREATE INDEX IF NOT EXISTS "idx_session_tags_gin" ON "whatsapp_session" USING GIN ("tags" jsonb_path_ops);
        -- contact search matches any part of the profile name or username (ILIKE '%text%').
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX IF NOT EXISTS "idx_contact_profile_name_trgm" ON "whatsapp_contact" USING GIN ("profile_name" gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS "idx_contact_username_trgm" ON "whatsapp_contact" USING GIN ("username" gin_trgm_ops);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_contact_username_trgm";
        DROP INDEX IF EXISTS "idx_contact_profile_name_trgm";
        DROP INDEX IF EXISTS "idx_session_tags_gin";
        DROP INDEX IF EXISTS "idx_contact_tags_gin";
        DROP INDEX IF EXISTS "idx_event_name_c_created";
        DROP INDEX IF EXISTS "idx_event_source_created";
        DROP INDEX IF EXISTS "idx_event_message";
        DROP INDEX IF EXISTS "idx_session_number_updated";
        DROP INDEX IF EXISTS "idx_session_last_inbound";
        DROP INDEX IF EXISTS "idx_message_type_created";
        DROP INDEX IF EXISTS "idx_message_number_created";
        DROP INDEX IF EXISTS "idx_message_direction_created";
        DROP INDEX IF EXISTS "idx_message_template_created";
        DROP INDEX IF EXISTS "idx_contact_last_inbound";"""


MODELS_STATE = (
    "eJztXWtz4ria/isqvkx3FdubpDuZGc7WVhFC93A6gSyQuZzDKbcxSvCJkRnbhGZn+7/vK/"
    "mC75Ecmxi3viTG1ivJz2vL0vNe9FdrZS6wYb/rrvXPeNfqoL9aRF1hOIhdaaOWul7vz9MT"
    "jjo3WFF1rSuPXqG57Viq5sDpe9WwMZxaYFuz9LWjmwTOko1h0JOmBgV18rA/tSH6nxusOO"
    "YDdpbYggv//Bec1skCf8W2/3P9qNzr2FhE+qovaNvsvOLs1uzc3d3g6iMrSZubK5ppbFZk"
    "X3q9c5YmCYpvNvriHZWh1x4wwZbq4EXoNmgvvRv2T7k9hhOOtcFBVxf7Ewt8r24MCkbrv+"
    "43RKMYINYS/fPhv72uhYopynA0VSb9qaK0BLDTTEJx14lDgfrrm1vvHhB2tkUb6P3SHb95"
    "f/GWQWDazoPFLjK4Wt+YoOqorigDfY+yZmGKiaI6SbSv4Iqjr3A64lHJGPILT/Sdf1BEA/"
    "6JvQr2j58Prg9fBYC34AYXI2LsPN3nKGA6uOlPpt2bW9rcyrb/NBh+3WmfXjljZ3exs29c"
    "fZnwZrlvXFAJ+m0w/QXRn+gfo2E/rtWg3PQfLdondeOYCjG3iroIPab+WR81KLnXOvuf0H"
    "dvqVrpuvbLx7QMaB2jXlfqV8XA5MFZws/Ts59yFPtrd8xeLigV09bQu3TmXvsWwXdt4Xv9"
    "qwjCe4kmYnzBA3H8fQghfBEHGL5MylK1lyIQh2XKAfn5T8TBIL74wAHxxYdMiOmlKMS2Zq"
    "4zBok+2awYxgPokUo0nMA6EK7z09wa97tXHUSH+Rn5bTyY9jtoa+kOnpHu1c1g2EHqYqWT"
    "VgF18Iwp2SNKYjwxVNtRNnah73RctoQvtfeY12WwOZIPs49J7pfZwk/mYyE9RyWlluumZb"
    "rQuX8MTcLpibmqPW5Va6EkrphnZlbZ5KXV2Sp+RiXqA1MSRZP201v7/YbnS9N8vIJB7xo7"
    "DluTJRaIyULtvLXi1i0OOlcXMAYGAs+tG1sjghGMtytk3iMVQb36E7Z2yFmqDtLMjbFAxH"
    "TQHCNo29DxAt2bFhSEEduGRRc9cKD4VjcMVlBbquQBx8fralqZkTe6YyN7qa7x2w56xGsH"
    "WeoWijlLqBp74m20XeoG9s7YDu0DlQt6sVVtv902Ugl8iSy8NtQddMOELysURppKaO/eqP"
    "cALPQHJopv383IjHyhd0VX6V+QbrMm6IkfoFdMNUhfYOLozg7NNmcnpx/QDXZUuGpuCVyC"
    "jmGL1Q+TImiLNoBW2LbhufnBnpGtutJpl2hlzsYGOXaG9tE79baN4EnA0fuhl+F10dmy2G"
    "vXNlnnbHjI0FxdsF7OiCcCN+psdXqn0G/sINWGbrN7Z3gw/CkgHko27TG9+q7V5uEX/mrt"
    "X4yW228qGFq9UgH8FSbgtg19Dt6gPQ/xNfxgK/s6/MG1xSqAR539+CYZDclo1HRV1lxGY7"
    "NeFNR6VFJqvS5aT5lIeb0Pjaje90+EBgjLNI4GODs/51h5QqnMtSe7Fl193vs48kIcCNR5"
    "9V8bouUR7kuIx/LKNxDc8olCfyoqxMWGZBoIcvlPMDTnwAQ4ifHfJ6NhxlxrLxL/5Oqag/"
    "4PGbrtVAV1aJo73+iGoxP7HW32NWa6FKLI19YH+s1N9/e4DnrXo8v4Z5RWcBlTCP3GiWjD"
    "L/8iVRwPX1QJ5u56P4n6FB7zLMbOl2jEKJM3r+z/Ps0HPJhWXo+Gn/zicS3EDBTBQryQhS"
    "KQPhz4rdv+8Gow/CQ4zPhiHeQdzMi4f3vd/aN/1UH+0YxcDSa97viKngwOi9guyv8Iqw6M"
    "L2snRVcDkvFuhEViCoJeV6Wg06o+wA+0B/9xdvrhxw8/vb/48BMUYb0MzvyYg/lgOE2MNS"
    "5FWMhMEBGVdoL6LG+TrIbPqipi1GFM7AUc4vHo9hnGMGF9SYKcRPijaWH9gXzGu8S3JIZp"
    "3G6yr/EoAd6f3XfRUrcBpx1/wgAJOIMdhgX0AQ3vrq9dJvwVLVyeEvLsW3s98Vi3QqWrdI"
    "nMMFkQmEgq3neR026hk7n51bNYKMRbb0mzhTRbHNXC4kgJbB6zxQIvNmssSmFHpRpHYlfg"
    "y2ZuLE3I43UvccDl4XapOjb9EB0E5vdnHDC/P8uEmV6Kwjw3FynPcTYB4peX9IekP4Toj9"
    "vxqNefTCjVERzOyMfu4Jqecv9L6kNIOSdVjTklUx/MnRVblmmJjDRRqUKPfD1XagcbbuKr"
    "D8FJaoq4pJ7qTD0Zpka9iTfE0Q1RZcdlpabrrOm1ZWrYLhZcEJeVmq6bpgXczsPL0sDfNW"
    "XmculJf/w8xoaa4SmR50l+lE9AghP9VimJSZeC3fW6S1Rj5+ia3X/CrOUkl5lesp1LaXoL"
    "TUX1hRQcSB2M2vSjSsV8sVlHFXpG8QRzSE06zoVajFJl+oK/PeGmbLdKjyAvcot+DeJ3aR"
    "IHFPiCpv0axO86oE0K3TGTFm/Vi1pQRBTqyUhCXBLiR0c1NZgQl5kJqs1McBxM+BGbGmBF"
    "tMaWo+OUiXO2A2ZUSnrE5tNXBbwzNZWFwM93Ch1+VmzVolgbIuhZ80w10tMm6Ri+n4lygx"
    "yRkphGMQ1NdgUwjUpJTGNfxchijRfTqJTENNfLLrTeeqmTnUd43OxrPEp8n3Wyi76zGT52"
    "KY9xiRhP9jU2E+PoO8yBsfdxKhHj3r7GZmIc/Z4L+4qGjOmROddLmWmfNw0qHW8a9KAfhp"
    "0OsGvlMdP7Um0+VjoqcDBCGhPaFZd4tPSHB5Dg4BNDT6VXgeJLtyW5KMnFYyNImksuyiQh"
    "TdN6itk7kSREUsrVUsrhniVgznbJi4lJnzxxn7zQNIP34Q6JyOeb7/mGFhcsH4gQox+Vqg"
    "ejT9trDKOvasI6CYlIhZSukNDqKbYqN00DqyRdJyGpmE7mIFaVMvxFzWFhvxyNriOwXw7i"
    "o/zdzWUfRiimAyikuzRJ0g1eA3AW5pYoNqYjjUh8QZro4eIMLuocaFDIWfL1qKi6fYxrwk"
    "VR8LjoKA9lIUaKMo+HZaVCbRfx6KPW6VAVws51yeZf4F5IO+OPP/xdKJq2l7bmBb8/f9uS"
    "kZOMXD2H1SPlZngYue85iHV8NxyyM97BjEzuer1+n2XwCg7jYa1Q6vPg9paVcQ9afA9RxY"
    "Gue7d8EToiKtUEDugAhAS8ftBloZVvSESufMtf+YqGI8tI5JclPrCKzRSikjJWsT5Gm+TM"
    "4F4nur0spOaYqNRznfW82Fju4nIlwmHFpArRVzVTaumJMmQA/3fyCiUYGl6uIiFYJm1RXw"
    "XLAIZXxdRd84khGpaReOY62kedJ0vyUY66cB7nUPCsn3JiOIy4Kve6k173qt9KPstl4pxI"
    "4nCUT/SzUIffZ+l0XwXCL3S6P4TF7nJj6wTbdlfTzE1+cpN40TaX1W7uSSlqSKxKu520IU"
    "kbUj2/gQ22IUmv7qZpncere6vO1dRFRLaxKSQic2bHzEzJRBYWftLxFvqt6elBpdlAp4g2"
    "wdBRdfpslqTWm6ooGSuLbNDTpZuHe/lP+lx13YSELNcRIYkyH8qLAiAvJMbcGD/pputr6s"
    "IkgHRSsnl4V+WMAX0Qj0WIy0m3jMjEs5ycT2t1rhu6aDKuuFw9VNOodFxrePShPwpAnOI4"
    "k5cnLSonN6wtroMFdlTdEHozQiLypShdIe4mFYwZF+cyEsLSZl8f9sIlrQSiiw5Bv/dUw2"
    "jlcO7sepuLaNf8ogcLinlJEArtbfEU10VyiLstyhAUaT6QRPIhh2JpPvgetc5jPljBTFbQ"
    "fBASaZz54Oz8nIMagVKZ1Ai7Fp3PPsKdpQP8fGiXL3vAwK5e9/pa8IPFZDqI/p2R2/74Zj"
    "CZDEZDZdy/vf6DhnpFz7QKaKb8SK01AIoV0MAcW4KvQIpo82jC8g072sZ2zBVAthUdc5KS"
    "Em8BvOf2piDegWTz8D69OOEaUk5yxpSTRBIw3cJautMp34AfqaDOqalao7vp5ehueNVB/t"
    "GMDIbeKe+gyEjPY5zINk0kd/rICa3ODI87eDj1EY8yMg6xqURdzPWYwMBUjBaIyUpN11nT"
    "GCAsouWwnNRwnTUcRI2KJ01LE5VRp8mo0zW2Vrq7pQL+uoY5nV1kV+GsSuTrVefXi6pNJd"
    "QCuVdgUvW52SCzqiiWGvJ4dF1iZsilDktYa5cEPtusHxKph1m/WW5IMoa46phXGR/YxPhA"
    "0IENn4LeUiVslpLtqRAp2OZzWXBlFG0v9JzzQmtEMHLLI/MeqcjD8AcbrVTrEWYg5AF59b"
    "bRVneWaLvEpE3/WhjdW+YKqWSBdIJoN9DWtBb2uzhVVE0rMzIjE7aTq91BXzY2tpS1he9B"
    "Al4H+wt6c4MdFZqYOOb6P8fY3qwwDMeOA+28baMvj3hH64FyzhJ657GkaGuZDoaKp6NbZF"
    "oIJhDjKS2uGeYGlkRr3asYQVN040y4G+j2wu316fvTk/OTt6xrX2AJtVljBdr5Arf5iG0o"
    "usXzpWk+IvjUrZBD70W3EWhUf4JuL5Cz1TUMNWvQMWQGoDFAD+lN4j9I3A4l0s1DunnUlD"
    "I9ToM/b6bRjIgIvkSjtd8TpjW6nfavlMGwg/yjGXGPRndT/yQczsjd8PNw9BsU9A6KmCvK"
    "N0zLvckrtli47ttJgPM26fElmmAHzRvOqshUaWraxrIKfWpiog381hzJt4WPWA5mryKjV1"
    "SqlBes6S5lr8ylHNE7JHeUlwRVrR/alzBUqbnY5A7z1eww/+okoOOScnn0n/8q8BF/QenD"
    "hSsVCRoqGqHEQgF1Mjc3RIDEYm2FRSWDJRmso/u4NJjBkoFKTdM6T6CSsAt7uZ7rNVpQVu"
    "K3vlYtarwRRjku1wR67ABwU8Oj6B5RYZkGwlxFUiLhOKNyw4tqNGiUT6KvLfNeN7DwVmdx"
    "ueY9ymfnPCYhKJXD+CWMQo76IJSixi8vHdnyzRlF89OE1pWCs9AUcenPW5+ZZ3LBEbgb+T"
    "4u6cPd8+bz1IoOGNkdtnJ/R/b0BOwFXtqsOuSbe1RvriLuW5FXR/PmLuXMExMWoGzuPLaH"
    "TMoc59KT+/h5jI1g753vc/+YyNMd2qfH2qRlXS2EXFDpeMOzydExAkfTkJUEl58crokoRT"
    "zDy8Ir7qJ+ZAwrF3L6Am4xI91uQdCoVWrgVrtrKmyeFbYk0BpntI76iPpGzFKwmuAgwrAh"
    "WB3QJB+8ls+b5sNvML+JXtHDYs9G53QJ0hf7eBm0VG0alLJUFx04ezm5G1zR3ypiWayQm8"
    "WqjbCqLRF0n4bVsCgSVzwZl1Ny/SzsxYIZtuvl+YUGt9jYYcE8iEXZeO2szCdMA1yQYyKV"
    "mNTdgHbkjYoI3gbNuL9YL97+bUZoBZa5RbAi39ltZJusStNYUFHb0Q0D3cOza9PTqzZiO/"
    "1CqRWmXQTFYLc70JUlCNG+686hI2t89YddNqRDgnRIOKoZwJGapnkcEo4rv2OBgBo2mnYQ"
    "M/LOyG9dhf4KTGWvnN/rSTU2Ylu8+AKNy15aial6/2kWHdOikpIprTNTKgMKpPN7HRZu7Q"
    "LO76/rmP3JMjfrVs7azy3Q5lrxPQRl5fbMcpUgVwlH8omVbsvfo9Z53Jbl/grVB8PKRP4H"
    "T/m8mf8bp81kc1JU7EWah/D5KQ/EUCoTY3YtnqVi37ME0HmpKiJiTQD70PkqhDfBbvAG2B"
    "UMHtih7lRC3sxhGbnX6Qv2m1UtR9f0tZrqaZWz32xMTnqVl64a5hbuB6IX9CqPikvGtT4L"
    "A3c9WMgvUrrFvL6rB+PwxljD0O/Wc1yfX67NT/kpVkjmWQ8P2hry8omuTbqFCro3LeZVER"
    "qo3ayprHrkPUMd5GZLDZKHthFdes82ZydnFyDvGSjD3h4VtjUjzCfkjfuEoTVNpKqudCjo"
    "7sDD0reGGnn7Dk2X2K//BxuZW4K8nN0z8uZL7BGfsEq+vEWPGK+Zgwe61y3b8W6Edpm17z"
    "b2N1rAxqwwwtDhHdziD3aWr8c/W6yr9Gpou6B9X+li8l95DiGxlCOhNGccHiHe0xKM9/5o"
    "Lr1CJN8rmb968L3B+MAfe7wqk/V7bc1GPRN+PuXxTPj5NNszgV7LXMyI0n4JyQZiXg3XGk"
    "KuSLKIpHDzKJNK3HDytjHkS9xc/y0NW5PeL/2ru+v+VQcFhzPyP3f9O3rK/T8jk/7wajD8"
    "BGXcA3Zmyn5OZ+Sqfz34tT+mAsHhjIz7XThB/87Ix+6ANeH+n5Fed9jrX7NTwSGV6PVBmk"
    "m5R/G5Md+zUHY0q0ym22CCIJpgA8ZKuNeEknNour2IZEmLU3HYskwLYF2kGAEyd8aLCsk9"
    "8ZI7crkIObpjCBlXYmLNmy9UYj2UyYwr9+eUiXbLTLRbE3fOG7zQ1VYOxesWaHNxu6ugrH"
    "TnlPSepPeOZHrOQ+/VwbEvqd3X8+y7+MAxh7n4kDmFoZdq59ZXu/epYtec7EjGdJyPIXqx"
    "MIlXNnGzgjHchUhkzAgLNRHmKtK+FspLKpOSiiclZZjZ+v+mAH2pP2RSJRGxQkxJ7R5qly"
    "r5+ezs/fsfz07eX/x0/uHHH89/Ogk4k+SlPPLkcvCJ8icRTSQJFXupglJEHvK9RAPHkvKn"
    "IPjrWocpY4GpfVSygVP7I5nKl+GKdxjawWV+comHgBzioh72pQ+2vc/ezGhrS7zYGLC4vT"
    "ctHpcmnxlyq1ACeXZ36W5Nse1+9o0TKARvnoNXa4fToyrW/GKT50+V2bCBVRsroXdfvGVW"
    "BX/bRTZU8lsU3lDJ3+9cCXJ/iCUyChr26yneg8B9oFgPmHiB5l+QxSm4+aLbWXkp317UuF"
    "+HeOPBM16wYffpFm7X9Y59yS27NQg37K+5ijVKpcXbXMCwoflu3MUaDqoQbz2FNCnWB68K"
    "cchhvDZAJFiFFcTer+aFr3cKHhEFMSfcp8Lv/xY+ojAfye6cpPUlrV/PuX+DaX2ZpaFpWu"
    "fJ0hAZ14v4V0YqqDO10hrdTS9Hd8OrDvKPZmQw9E55By2+56HKrH7ZPPnzyjgGupwFrncQ"
    "/Qv433Q/9QF9+m9Gfh1c9UcdxP7NSPfuagC/2L8ZuRr17m6Ys6t/NCOT6aD3uT/uIO9gRq"
    "5Hve50MBp2kH80I73RcNrtTScd5B/NyOXddDoawinvACQHE6ib/gWJaVe5G1+DgHswIx+v"
    "R791EP07I9P+ze01vLr0Htwj5mTbc9v1j+izNe2P6Y9f+8q4f3v9B33KYqf8nvgFwr9mZD"
    "S+onfH/sHd/jGBBuFm2X+65czk7vZ2NJ5ST93QjyLP8BkPgXiWTSCeJQhE6bUtvbalMft1"
    "jNlJtooX8aRk8+yBFeItHBeUlGwe3pUEBR04xrDG+5tWEmCYIKR4YU4INu95rsRpPcDNUM"
    "nDJtW3mgP0sHDzgC9/bmLhtbFTYHUsPJwkJRuIdzUjy9cUgik7qZtfvgnw5vFGVWRzo4R7"
    "6qat2XF0IREZR1c8jo46PFN+XQT6sIzE/iWZ3naGqaaM5nlJ3gIRibyMHpXRo3VFtvqJuI"
    "vaAsZiPW2n1OyJSkKwCYAfesYSdZ5LoJ9vh0wIyzSQ9bE8Jg3OBfejl1vQH4l+g/SHBZQc"
    "l5WarrOmqXtEoV3SVKnfY9DvPUxpCr3GEUGp4zrrOOzTKfweR0SlnuusZy84JGVpk7lCD4"
    "scLmbxpCJllr06j4fcCL48KeLyBarzC5SIdBJUeJq81HidNa4v4OU0HUy0nfKIdyIcXIpo"
    "4/wPqshjYGG4T9tRlqq9FME7LtcEDq7qUG9oDpbatpruBZ5rKozIScvJC2xWMuPpKyFvWv"
    "qDXjj6YS9d45Gm1b0ddBD8od7mk8GwP5ko3dtb6m2+/9UqMvSX7pCDF3qxGKSIoJxO1Xk6"
    "5Sa+LMgKY6nl49CyhZ90NyJY4JsWEZJfteJftWg8N2/AdCwKXOZAjmAaTsjAi2hYRuKZ4X"
    "wrBmlMTKIa32M2nCuFF9SolMQ0wzlfDNSYmEQ1N6e89/FJAlw4p3xvX+NR4vtsTvno9zqS"
    "Ux66gIZ319ettMGhRIwn+xqbiXF0ZOTA2H/rSwR5GqqymSjHhkoOmP1pQIkwN34PitjUiQ"
    "NlNn8tEeJPfn3NBDg83c9Al34Bn9v3Gj/h1F3qi+x63SWqsXN0ze4/4WN0ps+CPr7cZW6h"
    "2lIlpe0X3nMr7bE6GwpcZAvuknCL7wTeQNjoQKrLfel5oHIzuZSM1SRID9MQxOhX4UCJlj"
    "3snk+3vAeZP+mysk/cU27u5eSu89XtMe9lbJVbzNeFNWgjmazy+0lbKLeYr0OeBpm/TeZv"
    "Y9fkrtvfjcVe09c6XUYLp41LEa2xP1TBYbb8vHF72IQTx6WINg/xSjLH7ZFjSBXC3JdsIu"
    "Tl59jyUct2oODBPMeVogG4n52fcwAPpXI2qTvPhn6tWo4OP1SS7hPEo4BkHVINXGqQDvZC"
    "EyfpYN8o5GVSKJkU6oAjuEwK1bikUFEyn5dQj0pJ57tc57vQnpnSmSbdRteO+XrETExhb4"
    "9ed9LrXvXznD0OYfC7pdsnDNnuCa0cc1+4WJvL2Bfel6F8U1/Mrifta9K+Vk/yt8H2NbkZ"
    "XNO0nmICSNkMzl4b6i4xvvMuLrLky7EB1ijnRfmmgBrsklSzeVjViG/VuaiZKyTSPITLTy"
    "zy50Y1dGenACKp1Fs20EnJ5uFdvqXFRw0/pW768DzcgWDz0C5//HDXf9ADxdBXuhDeKaLN"
    "Q7z88YT+h15renoMWzbeCcHmoV2FcwJLpQVTedE9wJKSzcP77Jxn+IZSOYbCxADOnlML/9"
    "vdUBmOVLvAg55WgVQAlwIyGf5sK2E2ty9mJSy0zA0RTPONbsBkyX5Hm30NjqkS46Gh2o47"
    "LSmSaTMuLDMG1Yd8cDmnhEnidRlzP5o9hy0PBbxzMOWhgPtKSfJI8Es0LUCIkOOJffHC3f"
    "06PGl2d+nxL/R1DTW+9/wu1rAXfCPcbpR3hFsXaFO4sRTKpdjdelUId4ANbTqZmxsi2mRY"
    "lL/BewPe2jZKV68w4LQ2fk1LC5C0AElbQImfY2kB+h61zmMBkmaIQ9Ms/oeVF2a/fPOwrS"
    "SRPJtpOOYjFuJRolJNy9h/dsITVgOlsqmTk0RYzfHFi7a6veng177gZMyT6iD3/4z0Rje3"
    "1/0pi+b0D2ek//vtgMWEegfpUZ+tIq9J6XYjtud32q7sz2wTnroxu2S9Xs56OeqDEAfpl6"
    "+HKmh7jVFFfKEtOBdOEZckZH3mv8llD3yIrGLLnqikXPbURe08i13NXK2LbkoQl5Xvd53f"
    "b5kYv/JYEpnIuZpEztmmMZk5VAT8tNgymcoxA6tDWF2D9NY5ZtdwCmwOu2s4CXf5iQgDL2"
    "Dfv8lQycOGKj6elFCarqTpSs7mS5zkSdPV96h1HtPVK8Rz1E67lbu8O6IQh0SaZ7GqxsVd"
    "BN4XOVjX+/GtJJFHMFETwDgs00Ccy7cn5ZkCM7nTI0gXW5txWAMoHkxLaCf6sEzzRuIKAn"
    "JVC44cbCn3prVKm0rmuMKkyB7Qrn07mgymg9Gwe13Vaq16i/RqbZJ0KivPKB2WksbQ0o2h"
    "fpyorZmW0Cc0Idi8EaiKxKk0jgtWo+JxYCmizUO8/Nm355FeIAosKSlTRr5k92p/IPeiA4"
    "p9BULCUhvFtWHviFbMIyIsKM3i9eHOkpSphVfmUyElRyWlluumZYEIS2kVrYNVtIstXVu2"
    "Umyh3pV2ngVU3ZepTVLGzCzPqbxwSnZn77F4mT2zynlpKbmds82YNAu8YMqTkEgDKbVK0v"
    "TTl0oAYa94A9E95YoPOc2JDzlNxoewiIG0tFTPBBmkJqQ6AJlz5BP4V02s8O3/ATQRNdM="
)
