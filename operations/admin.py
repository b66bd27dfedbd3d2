# Operations are deliberately not in the Django admin: platform staff manage agencies and
# users, and must not learn which operations exist. Operations change through the API.
