-- Member cards: an unguessable token per card, made when it is first
-- printed; its public address confirms only that the card is valid and
-- its tier. Tiers by years of membership, set by the centre.
ALTER TABLE members ADD COLUMN card_token TEXT;
CREATE UNIQUE INDEX members_by_card ON members (card_token);

CREATE TABLE member_tiers (
    tier            TEXT PRIMARY KEY CHECK (tier IN ('silver', 'gold', 'platinum')),
    min_years       INTEGER NOT NULL CHECK (min_years >= 0),
    updated_at      TEXT NOT NULL
);
INSERT INTO member_tiers (tier, min_years, updated_at) VALUES
    ('silver', 5, '2026-01-01T00:00:00.000Z'),
    ('gold', 10, '2026-01-01T00:00:00.000Z'),
    ('platinum', 20, '2026-01-01T00:00:00.000Z');
