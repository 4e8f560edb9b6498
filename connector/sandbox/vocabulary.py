"""Word lists and HubSpot option lists the portal generator draws from.

Everything here is plain data (tuples of strings and weights). Enumeration values follow
HubSpot's internal option values (what the API returns), not their UI labels.
"""

from __future__ import annotations

# Word lists stay packed several to a line: one item per line would bury the data.
# fmt: off

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
    "Margaret", "Steven", "Sandra", "Paul", "Ashley", "Andrew", "Kimberly", "Joshua", "Emily",
    "Kevin", "Donna", "Brian", "Michelle", "George", "Carol", "Timothy", "Amanda", "Ronald",
    "Melissa", "Jason", "Deborah", "Ryan", "Stephanie", "Jacob", "Rebecca", "Gary", "Laura",
    "Nicholas", "Sharon", "Eric", "Cynthia", "Jonathan", "Kathleen", "Larry", "Amy", "Justin",
    "Angela", "Scott", "Shirley", "Brandon", "Anna", "Benjamin", "Ruth", "Samuel", "Brenda",
    "Gregory", "Pamela", "Alexander", "Nicole", "Patrick", "Katherine", "Frank", "Samantha",
    "Raymond", "Christine", "Jack", "Emma", "Dennis", "Catherine", "Jerry", "Debra", "Tyler",
    "Rachel", "Aaron", "Carolyn", "Jose", "Janet", "Adam", "Maria", "Nathan", "Olivia", "Henry",
    "Heather", "Zachary", "Helen", "Peter", "Sophie", "Kyle", "Julia", "Noah", "Grace", "Ethan",
    "Chloe", "Lukas", "Lea", "Felix", "Hannah", "Jonas", "Mia", "Luca", "Giulia", "Hugo",
    "Camille", "Lucas", "Manon", "Mateo", "Lucia", "Pablo", "Sofia", "Arjun", "Priya", "Rahul",
    "Ananya", "Wei", "Mei", "Hiroshi", "Yuki", "Sven", "Astrid", "Lars", "Ingrid", "Pedro",
    "Ana", "Rafael", "Beatriz", "Liam", "Aoife", "Conor", "Siobhan", "Omar", "Fatima", "Ahmed",
    "Layla", "Daan", "Sanne", "Jan", "Eva", "Tom", "Lotte", "Oliver", "Isla", "Harry", "Amelia",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois",
    "Durand", "Lefebvre", "Moreau", "Laurent", "Rossi", "Russo", "Ferrari", "Esposito",
    "Bianchi", "Silva", "Santos", "Oliveira", "Souza", "Pereira", "Sharma", "Gupta", "Singh",
    "Kumar", "Reddy", "Wang", "Li", "Zhang", "Chen", "Liu", "Tanaka", "Suzuki", "Sato",
    "Johansson", "Andersson", "Nilsson", "Larsson", "Jensen", "Nielsen", "Hansen", "OBrien",
    "Byrne", "Walsh", "Ryan", "Murray", "de Jong", "Jansen", "de Vries", "Bakker", "Visser",
    "Novak", "Kowalski", "Nowak", "Ivanov", "Hassan", "Ali", "Khan", "Haddad", "Cohen", "Levi",
)

# Company names are <root><second> + optional suffix, e.g. "Bluepeak Analytics".
COMPANY_ROOTS = (
    "Blue", "Red", "Green", "Silver", "Gold", "Iron", "Stone", "River", "Lake", "Ocean", "Sky",
    "Cloud", "Star", "Sun", "Moon", "North", "South", "East", "West", "Bright", "Clear", "Swift",
    "True", "Prime", "Core", "Peak", "Summit", "Harbor", "Bay", "Pine", "Oak", "Maple", "Cedar",
    "Birch", "Aspen", "Willow", "Fox", "Wolf", "Bear", "Hawk", "Eagle", "Falcon", "Raven", "Lion",
    "Tiger", "Orca", "Otter", "Bison", "Quantum", "Vector", "Pixel", "Signal", "Pulse", "Spark",
    "Nova", "Astro", "Terra", "Aqua", "Vita", "Zen", "Flux", "Nimbus", "Apex", "Vertex", "Orbit",
    "Echo", "Atlas", "Titan", "Polar", "Crimson", "Amber", "Ember", "Frost", "Granite", "Cobalt",
    "Indigo", "Scarlet", "Jade", "Onyx", "Opal", "Coral", "Meadow", "Canyon", "Ridge", "Valley",
    "Prairie", "Delta", "Sierra", "Alpine", "Arctic", "Tidal", "Solar", "Lunar", "Stellar",
    "Hyper", "Ultra", "Omni", "Micro", "Macro", "Meta", "Neo", "Open", "Smart", "Rapid", "Agile",
    "Bold", "Noble", "Royal", "Urban", "Metro", "Global", "Pacific", "Atlantic", "Nordic",
    "Copper", "Cyan", "Violet", "Maroon", "Ivory", "Ash", "Elm", "Fern", "Ivy", "Lotus", "Sage",
    "Brook", "Cliff", "Dune", "Glen", "Heath", "Isle", "Marsh", "Moor", "Reef", "Shore",
    "Beacon", "Anchor", "Compass", "Lantern", "Bridge", "Tower", "Gate", "Forge", "Mill",
    "Wharf", "Keystone", "Cornerstone", "Lighthouse", "Pioneer", "Frontier", "Horizon",
)
COMPANY_SECONDS = (
    "peak", "wave", "works", "labs", "path", "point", "line", "field", "stack", "scale", "ware",
    "logic", "mind", "base", "bit", "byte", "cast", "craft", "dash", "deck", "dock", "flow",
    "frame", "gate", "grid", "hub", "jet", "key", "lane", "leaf", "link", "loop", "mark", "mint",
    "nest", "node", "pad", "pod", "port", "ray", "rock", "root", "shift", "ship", "side", "sign",
    "site", "sync", "tide", "track", "trail", "tree", "vault", "view", "way", "well", "wing",
    "yard", "zone", "spring", "stream", "bloom", "spire", "crest", "haven", "ledger", "matic",
    "metrics", "nomics", "ology", "scape", "sphere", "tronics", "verse", "wise", "bridge",
    "beam", "bolt", "cell", "core", "form", "fuse", "gear", "glow", "hive", "lens", "lift",
    "lock", "mesh", "note", "pact", "pine", "quest", "rise", "rush", "sail", "seed", "shore",
    "snap", "span", "star", "stone", "storm", "tap", "tone", "vine", "volt", "ward", "wire",
)
COMPANY_SUFFIXES = (
    "", "", "", "", " Inc.", " LLC", " Ltd", " GmbH", " Group", " Labs", " Technologies",
    " Systems", " Solutions", " Software", " Analytics", " Consulting", " Partners", " Holdings",
    " Media", " Digital", " Networks", " Health", " Capital", " Logistics",
)
BUSINESS_TLDS = (".com", ".com", ".com", ".io", ".co", ".net", ".de", ".co.uk", ".fr", ".nl")

FREEMAIL_DOMAINS = (
    "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com",
    "icloud.com", "proton.me", "gmx.de", "web.de", "yahoo.co.uk", "live.com", "mail.com",
    "orange.fr", "hotmail.co.uk",
)
STUDENT_SCHOOLS = (
    ("Stanford University", "stanford.edu"), ("Harvard University", "harvard.edu"),
    ("MIT", "mit.edu"), ("University of Michigan", "umich.edu"),
    ("UC Berkeley", "berkeley.edu"), ("NYU", "nyu.edu"), ("Boston University", "bu.edu"),
    ("University of Texas", "utexas.edu"), ("University of Oxford", "ox.ac.uk"),
    ("University of Cambridge", "cam.ac.uk"), ("University College London", "ucl.ac.uk"),
    ("University of Manchester", "manchester.ac.uk"), ("TU Munich", "tum.de"),
    ("University of Toronto", "utoronto.ca"), ("University of Sydney", "sydney.edu.au"),
    ("University of Melbourne", "unimelb.edu.au"), ("ETH Zurich", "ethz.ch"),
    ("Sorbonne University", "sorbonne-universite.fr"), ("University of Amsterdam", "uva.nl"),
    ("IIT Delhi", "iitd.ac.in"),
)
# Companies selling the same product: their staff sign up to look, never to buy.
COMPETITORS = (
    ("Pipedrive", "pipedrive.com"), ("Salesforce", "salesforce.com"),
    ("Zoho", "zohocorp.com"), ("Freshworks", "freshworks.com"), ("Marketo", "marketo.com"),
    ("ActiveCampaign", "activecampaign.com"), ("Keap", "keap.com"), ("Close", "close.com"),
)
# Syntactically valid addresses that cannot receive mail: typos, disposable, placeholders.
INVALID_EMAIL_DOMAINS = (
    "gmial.com", "gamil.com", "yahooo.com", "hotmial.com", "outlok.com", "mailinator.com",
    "10minutemail.com", "guerrillamail.com", "example.com", "test.com", "asdf.com",
    "tempmail.net",
)

SENIORITIES = (
    "intern", "student", "coordinator", "specialist", "manager", "senior_manager", "director",
    "vp", "c_level", "founder", "job_seeker",
)
"""Seniority levels, in the order `SENIORITY_TEMPLATES` and the generator's weights use."""

DEPARTMENTS = (
    "Marketing", "Sales", "Revenue Operations", "Demand Generation", "Business Development",
    "Customer Success", "Operations", "IT", "Engineering", "Finance", "HR", "Product",
)
"""Departments; the first five are the product's buyer personas."""

BUYER_DEPARTMENTS = DEPARTMENTS[:5]

# `{d}` is replaced by a department; templates without it ignore the department.
SENIORITY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "intern": ("{d} Intern", "Intern, {d}", "Summer Intern"),
    "student": ("Student", "MBA Candidate", "Graduate Student", "PhD Student", "{d} Student"),
    "coordinator": ("{d} Coordinator", "{d} Assistant", "Junior {d} Associate"),
    "specialist": ("{d} Specialist", "{d} Analyst", "{d} Associate", "{d} Executive"),
    "manager": ("{d} Manager", "Manager, {d}", "{d} Team Lead"),
    "senior_manager": ("Senior {d} Manager", "Sr. {d} Manager", "{d} Lead"),
    "director": ("Director of {d}", "{d} Director", "Head of {d}", "Senior Director, {d}"),
    "vp": ("VP of {d}", "Vice President, {d}", "SVP {d}", "VP {d}"),
    "c_level": (
        "CEO", "CMO", "CRO", "COO", "CTO", "CFO", "Chief Marketing Officer",
        "Chief Revenue Officer", "Chief Executive Officer",
    ),
    "founder": ("Founder", "Co-Founder", "Founder & CEO", "Owner", "Managing Partner"),
    "job_seeker": (
        "Looking for opportunities", "Open to work", "Seeking new role", "Between jobs",
        "Unemployed", "Job seeker",
    ),
}

NUMEMPLOYEES_OPTIONS = ("1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+")
"""HubSpot's default options of the contact property `numemployees`."""

# Representative head counts of each band, to derive annual revenue.
NUMEMPLOYEES_MIDPOINTS = (3, 14, 37, 75, 250, 750, 3500)

INDUSTRY_OPTIONS = (
    "COMPUTER_SOFTWARE", "INFORMATION_TECHNOLOGY_AND_SERVICES", "INTERNET",
    "MARKETING_AND_ADVERTISING", "FINANCIAL_SERVICES", "COMPUTER_NETWORK_SECURITY",
    "MANAGEMENT_CONSULTING", "BANKING", "INSURANCE", "HOSPITAL_HEALTH_CARE", "MEDICAL_DEVICES",
    "PHARMACEUTICALS", "RETAIL", "CONSUMER_GOODS", "MACHINERY", "AUTOMOTIVE",
    "LOGISTICS_AND_SUPPLY_CHAIN", "REAL_ESTATE", "CONSTRUCTION", "TELECOMMUNICATIONS",
    "STAFFING_AND_RECRUITING", "ACCOUNTING", "LEGAL_SERVICES", "HOSPITALITY", "FOOD_BEVERAGES",
    "HIGHER_EDUCATION", "E_LEARNING", "NON_PROFIT_ORGANIZATION_MANAGEMENT",
    "GOVERNMENT_ADMINISTRATION",
)
"""HubSpot's industry option values (a subset of its LinkedIn-derived list)."""

TARGET_INDUSTRIES = INDUSTRY_OPTIONS[:7]
"""Industries of the generated product's ideal customer profile."""

# (country, phone calling code, cities); the first seven are the product's core markets.
COUNTRIES = (
    ("United States", "+1", ("New York", "San Francisco", "Boston", "Austin", "Chicago",
                             "Seattle", "Denver", "Atlanta")),
    ("United Kingdom", "+44", ("London", "Manchester", "Bristol", "Edinburgh", "Leeds")),
    ("Canada", "+1", ("Toronto", "Vancouver", "Montreal", "Calgary")),
    ("Germany", "+49", ("Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne")),
    ("Netherlands", "+31", ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven")),
    ("Australia", "+61", ("Sydney", "Melbourne", "Brisbane", "Perth")),
    ("Ireland", "+353", ("Dublin", "Cork", "Galway")),
    ("France", "+33", ("Paris", "Lyon", "Marseille", "Toulouse")),
    ("Spain", "+34", ("Madrid", "Barcelona", "Valencia")),
    ("Sweden", "+46", ("Stockholm", "Gothenburg", "Malmo")),
    ("India", "+91", ("Bangalore", "Mumbai", "Delhi", "Pune", "Hyderabad")),
    ("Brazil", "+55", ("Sao Paulo", "Rio de Janeiro", "Belo Horizonte")),
    ("Singapore", "+65", ("Singapore",)),
    ("Mexico", "+52", ("Mexico City", "Guadalajara", "Monterrey")),
    ("Japan", "+81", ("Tokyo", "Osaka")),
)
COUNTRY_WEIGHTS = (30, 10, 6, 7, 4, 4, 2, 5, 4, 3, 9, 5, 2, 4, 3)
CORE_MARKET_COUNT = 7

CONVERSION_EVENTS_HIGH_INTENT = (
    "Demo request", "Free trial signup", "Pricing page form", "Contact us",
)
CONVERSION_EVENTS_LOW_INTENT = (
    "Ebook download", "Webinar registration", "Newsletter signup", "Whitepaper download",
    "Blog subscription",
)

ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
    "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL",
)
ANALYTICS_SOURCE_WEIGHTS = (30, 15, 6, 8, 7, 4, 16, 6, 8)

LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer", "evangelist", "other",
)
LEAD_STATUSES = (
    "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
    "CONNECTED", "BAD_TIMING",
)

CALL_STATUSES = ("COMPLETED", "NO_ANSWER", "BUSY", "FAILED", "CANCELED")
CALL_DIRECTIONS = ("OUTBOUND", "INBOUND")
MEETING_OUTCOMES = ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")
EMAIL_DIRECTIONS = ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")
EMAIL_STATUSES = ("SENT", "BOUNCED", "FAILED")
TASK_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
TASK_TYPES = ("CALL", "EMAIL", "TODO")
TASK_PRIORITIES = ("NONE", "LOW", "MEDIUM", "HIGH")

OUTGOING_EMAIL_SUBJECTS = (
    "Quick question", "Following up on your demo request", "Your free trial",
    "Resources you asked for", "Checking in", "Pricing for your team", "Next steps",
    "Great to meet you", "Can we find 15 minutes?", "Re: your question about integrations",
)
INCOMING_EMAIL_SUBJECTS = (
    "Re: Quick question", "Re: Next steps", "Re: Pricing for your team",
    "Question about onboarding", "Re: Checking in", "Not the right time", "Re: Your free trial",
)
MEETING_TITLES = (
    "Discovery call", "Product demo", "Technical deep dive", "Pricing discussion",
    "Intro meeting", "Follow-up demo", "Security review",
)
NOTE_BODIES = (
    "Interested in the reporting features; asked about Salesforce sync.",
    "Budget is planned for next quarter.",
    "Evaluating two other vendors.",
    "Wants a trial for the whole marketing team.",
    "Not the decision maker; introduced their manager.",
    "Left a voicemail.",
    "Asked for a security questionnaire.",
    "Happy with the current tool, check back in six months.",
    "Needs approval from finance.",
    "Very engaged during the demo, asked about onboarding timelines.",
)
TASK_SUBJECTS = (
    "Follow up with lead", "Send pricing", "Call back", "Send case study",
    "Schedule demo", "Check trial usage", "Connect on LinkedIn",
)
# fmt: on
