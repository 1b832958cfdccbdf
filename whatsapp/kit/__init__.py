"""Small tools every domain uses: clock, errors, ids, paging, phone numbers, SQL helpers."""
