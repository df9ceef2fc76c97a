# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Staff fields of beauty_hr on the beauticians of the chain"


def load_staff(chain):
    "The beauticians' position and a spread of skill levels"
    chain.conn.execute(
        "UPDATE company_employee SET position = 'beautician', "
        "skill_level = (ARRAY['junior', 'intermediate', 'senior', "
        "'expert'])[1 + (id %% 4)] "
        "WHERE id BETWEEN %s AND %s",
        (chain.first_employee, chain.first_employee + chain.beauticians - 1))
    # rosters, leave and skills: loaded here as the bench needs them
