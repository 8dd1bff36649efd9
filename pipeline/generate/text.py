"""Word lists for names, captions and comments. Generic praise matches the dbt seed lexicon."""

FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Isla", "Jonas", "Kemi", "Leo", "Maya",
    "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Will", "Xin", "Yara", "Zoe",
)
LAST_NAMES = (
    "Smith", "Brown", "Garcia", "Khan", "Nguyen", "Okafor", "Rossi", "Schmidt", "Tanaka", "Walsh", "Silva",
    "Cohen", "Dubois", "Evans", "Fischer", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lopez", "Murphy",
)
STREETS = ("Maple Ave", "High St", "Oak Rd", "King St", "Elm Dr", "Church Ln", "Park Blvd", "Mill Rd")
CITIES = {
    "US": ("New York", "Austin", "Denver", "Seattle", "Chicago"),
    "CA": ("Toronto", "Vancouver", "Montreal"),
    "GB": ("London", "Leeds", "Bristol", "Glasgow"),
    "DE": ("Berlin", "Hamburg", "Munich"),
    "FR": ("Paris", "Lyon"),
    "AU": ("Sydney", "Melbourne"),
    "IE": ("Dublin",),
    "KR": ("Seoul", "Busan"),
    "JP": ("Tokyo", "Osaka"),
}
CURRENCY_BY_COUNTRY = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "IE": "EUR", "AU": "AUD",
                       "KR": "KRW", "JP": "JPY"}

GENERIC_PRAISE = (
    "nice", "love it", "amazing", "wow", "so cool", "great post", "awesome", "beautiful", "cute", "fire",
    "love this", "perfect", "gorgeous", "stunning", "nice pic", "great", "cool", "so good", "yes", "omg",
    "great content", "nice one", "love", "wonderful", "so pretty",
)
EMOJI_ONLY = ("🔥🔥🔥", "😍", "👏👏", "❤️❤️", "💯", "🙌", "😍😍😍", "✨")
SPECIFIC_COMMENTS = (
    "Where did you get that {thing}? I have been looking for one for ages",
    "I tried the {thing} after your last video and honestly it changed my routine",
    "Does the {thing} ship to Canada or only the US?",
    "How long did the {thing} last you? Mine ran out after three weeks",
    "Can you do a full review of the {thing} next time please",
    "My sister bought the {thing} because of you and now she will not stop talking about it",
    "Is the {thing} okay for sensitive skin? Asking before I order",
    "The lighting in this one is so good, what camera do you use for the {thing} shots",
    "Been following since your first {thing} post, the growth is well deserved",
    "Is there a discount on the {thing} this week or did it end already",
)
# A genuine creator's occasional critic: negative, but on topic and civil.
MILD_NEGATIVE_COMMENTS = (
    "Honestly the {thing} did nothing for me, kinda disappointed tbh",
    "Mine broke after two weeks 😕 not buying the {thing} again",
    "Bit overpriced for what it is imo",
    "not a fan of this one sorry",
)
# A hostile comment section as a scraper exports it: insults, swearing (some in leetspeak), spam.
HOSTILE_COMMENTS = (
    "This is such a SCAM 👎👎 unfollowing",
    "you're so fake lol 🤡🤡",
    "worst {thing} ever, it gave me a horrible rash. DON'T buy",
    "ugh another ad... just stop 🙄",
    "Nobody cares, you sold out 😡",
    "terrible advice, this is embarrassing 🤮",
    "stop lying to your followers, it's pathetic",
    "I hate this account so much",
)
TOXIC_COMMENTS = (
    "wtf is this sh1t 🤮",
    "STFU nobody asked 🖕",
    "what a load of bull shit",
    "u r such a b1tch lmao",
    "f*ck off with these ads",
    "ur a clown and an a55hole",
)
SPAM_COMMENTS = (
    "DM @glow.promo.hub to collab 💰💰",
    "Check my page for FREE followers!! 🔥",
    "Earn $500 a day from home 👉 bit.ly/3xQz9Lp",
    "Promote it on @viral_boost_page 🚀",
)
THINGS = ("serum", "jacket", "lamp", "cleanser", "backpack", "candle", "mug", "sunscreen", "moisturiser", "tote")

CAPTION_TOPICS = (
    "Sunday reset routine", "What I eat in a day", "Trying the viral trend", "My honest thoughts on this",
    "Morning routine that actually works", "Packing for a weekend away", "Five things I bought this month",
    "Answering your questions", "Studio day", "Small wins this week",
)
FILLER_HASHTAGS = ("#skincare", "#morningroutine", "#selfcare", "#glowup", "#dailyvlog", "#lifestyle",
                   "#reels", "#fyp", "#beauty", "#wellness", "#minimal")

PRODUCTS = (
    ("LUM-SER-30", "Glow Serum 30ml", "34.00"), ("LUM-CLN-150", "Gentle Cleanser 150ml", "22.00"),
    ("LUM-MST-50", "Daily Moisturiser 50ml", "29.00"), ("LUM-SPF-50", "Mineral SPF 50", "26.00"),
    ("LUM-EYE-15", "Eye Balm 15ml", "24.00"), ("LUM-MSK-75", "Clay Mask 75ml", "19.00"),
    ("LUM-OIL-30", "Face Oil 30ml", "38.00"), ("LUM-TNR-200", "Toner 200ml", "18.00"),
    ("LUM-LIP-01", "Lip Treatment", "14.00"), ("LUM-KIT-01", "Starter Kit", "59.00"),
    ("LUM-BDY-250", "Body Lotion 250ml", "21.00"), ("LUM-SCR-100", "Body Scrub 100ml", "17.00"),
)
