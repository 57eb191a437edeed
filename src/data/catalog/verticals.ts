// The 39 industry verticals of the persona matrix. `domains` are noun adjuncts that read well in
// "the {domain} service", "{domain} data"; `words` seed generated company names.

export interface Vertical {
  name: string;
  /** How the industry reads inside a sentence ("experience in {prose}"). */
  prose: string;
  domains: string[];
  products: string[];
  users: string[];
  /** A typical customer organization, for sales bullets. */
  buyer: string;
  words: string[];
  /** What a company in this vertical does, for the JD's "About" section (follows the name). */
  blurbs: string[];
}

const v = (
  name: string,
  prose: string,
  domains: string,
  products: string,
  users: string,
  buyer: string,
  words: string,
  blurbs: string[],
): Vertical => ({
  name,
  prose,
  domains: domains.split(', '),
  products: products.split(', '),
  users: users.split(', '),
  buyer,
  words: words.split(', '),
  blurbs,
});

export const VERTICALS: Vertical[] = [
  v('Healthcare', 'healthcare', 'patient scheduling, claims, clinical records, care coordination, telehealth', 'patient portal, care management platform, telehealth app', 'patients, clinicians', 'hospital network', 'Health, Care, Medical, Clinics',
    ['builds software that helps clinics coordinate patient care', 'runs a network of outpatient clinics and a telehealth service']),
  v('Fintech', 'fintech', 'payments, fraud detection, ledger, KYC onboarding', 'payments app, digital wallet, lending platform', 'merchants, cardholders', 'regional bank', 'Pay, Ledger, Finance, Money',
    ['makes payments simple for small businesses', 'offers digital wallets and instant payouts to merchants']),
  v('Banking', 'retail banking', 'loan origination, deposits, risk reporting, account opening', 'mobile banking app, online banking platform', 'account holders, small-business customers', 'credit union', 'Bank, Trust, Savings, Financial',
    ['is a regional bank serving consumers and small businesses', 'is a digital-first bank with branches in three states']),
  v('Insurance', 'insurance', 'policy administration, claims, underwriting, quoting', 'quoting platform, claims portal', 'policyholders, agents', 'insurance carrier', 'Mutual, Assurance, Insurance, Shield',
    ['sells home and auto insurance through independent agents', 'is modernizing how small businesses buy insurance']),
  v('E-commerce', 'e-commerce', 'checkout, catalog, order management, product search', 'online store, marketplace app', 'shoppers, sellers', 'online retailer', 'Market, Cart, Shop, Goods',
    ['runs an online marketplace for independent sellers', 'sells home goods directly to consumers online']),
  v('Retail', 'retail', 'inventory, point-of-sale, store operations, loyalty', 'loyalty app, store operations platform', 'shoppers, store associates', 'retail chain', 'Outfitters, Mercantile, Stores, Supply',
    ['operates more than 200 stores across North America', 'is a specialty retailer with a growing online business']),
  v('Logistics', 'logistics', 'shipment tracking, route planning, warehouse, carrier billing', 'shipment tracking platform, dispatch app', 'shippers, drivers', 'freight carrier', 'Freight, Logistics, Cargo, Transit',
    ['moves freight for thousands of shippers every day', 'builds software that plans routes and tracks shipments']),
  v('Manufacturing', 'manufacturing', 'production scheduling, quality inspection, supply planning, predictive maintenance', 'shop-floor system, MES platform', 'plant operators, process engineers', 'manufacturer', 'Industries, Fabrication, Works, Manufacturing',
    ['makes precision components for industrial customers', 'connects factory equipment to analytics software']),
  v('Automotive', 'automotive', 'telematics, vehicle diagnostics, dealer inventory, connected car', 'connected-car app, dealer portal', 'drivers, dealers', 'automaker', 'Motors, Auto, Mobility, Drive',
    ['builds connected-car software for automakers', 'sells vehicles and services through a dealer network']),
  v('Aerospace', 'aerospace', 'flight operations, maintenance tracking, parts traceability, flight simulation', 'maintenance tracking system, flight planning tool', 'pilots, maintenance crews', 'airline', 'Aero, Aviation, Flight, Avionics',
    ['builds avionics and maintenance software for airlines', 'designs components for commercial aircraft']),
  v('Energy', 'energy and utilities', 'metering, outage management, utility billing, grid monitoring', 'customer energy portal, outage map', 'utility customers, field crews', 'utility', 'Power, Energy, Grid, Electric',
    ['delivers electricity and gas to two million customers', 'builds grid analytics software for utilities']),
  v('Renewable Energy', 'renewable energy', 'solar asset monitoring, energy trading, battery storage, site permitting', 'asset performance platform, installer app', 'homeowners, installers', 'solar developer', 'Solar, Renewables, Wind, Sun',
    ['develops and operates solar and storage projects', 'helps homeowners go solar with financing and installation']),
  v('Telecommunications', 'telecommunications', 'network provisioning, subscriber billing, customer care, 5G rollout', 'self-service app, network operations portal', 'subscribers, field technicians', 'mobile carrier', 'Telecom, Wireless, Networks, Connect',
    ['provides mobile and fiber service to millions of subscribers', 'builds network software for carriers']),
  v('Media & Entertainment', 'media and entertainment', 'video streaming, content licensing, ad insertion, content recommendations', 'streaming app, content library', 'viewers, subscribers', 'broadcaster', 'Media, Studios, Pictures, Broadcast',
    ['runs a subscription streaming service', 'produces and distributes films and series']),
  v('Gaming', 'gaming', 'matchmaking, in-game purchases, player telemetry, live events', 'mobile game, game launcher', 'players, creators', 'game studio', 'Games, Interactive, Play, Studios',
    ['makes free-to-play mobile games played by millions', 'develops multiplayer games for PC and console']),
  v('EdTech', 'education technology', 'course enrollment, assessments, learning analytics, tutoring', 'learning platform, student app', 'students, teachers', 'school district', 'Learning, Academy, Education, Classroom',
    ['builds an online learning platform for K-12 schools', 'offers tutoring and test prep to students online']),
  v('Government', 'the public sector', 'permit applications, benefits eligibility, public records, case management', 'resident services portal, case management system', 'residents, caseworkers', 'state agency', 'Civic, Public, Gov, Commons',
    ['builds digital services for state and local governments', 'is a state agency modernizing its public services']),
  v('Nonprofit', 'the nonprofit sector', 'donor management, fundraising, volunteer scheduling, grant reporting', 'donation platform, volunteer app', 'donors, volunteers', 'foundation', 'Foundation, Alliance, Trust, Fund',
    ['is a national nonprofit focused on food security', 'helps nonprofits raise money and manage volunteers']),
  v('Real Estate', 'real estate', 'property listings, leasing, rent payments, property maintenance', 'tenant app, listings platform', 'tenants, property managers', 'property management firm', 'Properties, Realty, Homes, Estates',
    ['manages residential properties across the Sun Belt', 'builds software for landlords and property managers']),
  v('Hospitality', 'hospitality', 'reservations, guest messaging, revenue management, housekeeping', 'booking engine, guest app', 'guests, hotel staff', 'hotel group', 'Hotels, Resorts, Stays, Inns',
    ['operates boutique hotels in twelve cities', 'builds booking and guest-experience software for hotels']),
  v('Travel', 'travel', 'flight search, booking, itinerary management, loyalty', 'travel booking app, trip planner', 'travelers, travel agents', 'travel agency', 'Travel, Journeys, Trips, Voyages',
    ['helps travelers plan and book trips in one place', 'runs a corporate travel booking platform']),
  v('Food Delivery', 'food delivery', 'order routing, menu management, delivery dispatch, restaurant onboarding', 'food delivery app, restaurant dashboard', 'diners, couriers', 'restaurant group', 'Eats, Kitchen, Table, Fresh',
    ['connects local restaurants with diners and couriers', 'delivers groceries and meals in under an hour']),
  v('AgTech', 'agriculture technology', 'crop monitoring, irrigation, yield forecasting, equipment telemetry', 'farm management app, field sensor platform', 'growers, agronomists', 'agricultural cooperative', 'Agri, Harvest, Fields, Crop',
    ['helps growers monitor fields and plan irrigation', 'builds sensors and software for precision agriculture']),
  v('Biotech', 'biotechnology', 'lab automation, sequencing data, sample tracking, assay analysis', 'lab information system, genomics platform', 'researchers, lab scientists', 'research lab', 'Bio, Genomics, Therapeutics, Labs',
    ['develops gene therapies for rare diseases', 'builds genomics software for research labs']),
  v('Pharmaceuticals', 'pharmaceuticals', 'clinical trials, drug safety, regulatory submissions, pharma supply chain', 'trial management system, pharmacovigilance platform', 'trial coordinators, clinicians', 'drug maker', 'Pharma, Pharmaceuticals, Rx, Medicines',
    ['develops and manufactures specialty medicines', 'runs clinical trials for biotech sponsors']),
  v('Cybersecurity', 'cybersecurity', 'threat intelligence, endpoint telemetry, identity, vulnerability management', 'security platform, threat detection console', 'security analysts, IT admins', 'enterprise security team', 'Security, Defense, Guard, Cyber',
    ['protects mid-size companies from ransomware', 'builds a cloud security platform for enterprises']),
  v('LegalTech', 'legal technology', 'contract review, e-discovery, legal case management, legal billing', 'contract management platform, legal research tool', 'attorneys, paralegals', 'law firm', 'Legal, Counsel, Law, Docket',
    ['builds contract software for in-house legal teams', 'helps law firms manage cases and billing']),
  v('HR Tech', 'HR technology', 'payroll, recruiting, benefits enrollment, performance reviews', 'HR platform, applicant tracking system', 'employees, recruiters', 'mid-size employer', 'People, Talent, Workforce, Hire',
    ['runs payroll and benefits for growing companies', 'builds recruiting software for high-volume hiring']),
  v('AdTech', 'advertising technology', 'ad bidding, audience segmentation, campaign reporting, attribution', 'demand-side platform, ad analytics suite', 'advertisers, publishers', 'media agency', 'Ads, Signal, Reach, Media',
    ['runs a programmatic advertising platform', 'helps publishers monetize their audiences']),
  v('Enterprise SaaS', 'enterprise software', 'workflow automation, subscription billing, user provisioning, usage analytics', 'collaboration suite, workflow platform', 'business users, admins', 'enterprise customer', 'Software, Cloud, Flow, Works',
    ['builds workflow software used by thousands of teams', 'sells a collaboration suite to enterprises']),
  v('Cloud Infrastructure', 'cloud infrastructure', 'compute provisioning, object storage, virtual networking, usage metering', 'cloud console, managed database service', 'developers, platform teams', 'software company', 'Cloud, Compute, Stack, Systems',
    ['runs a developer-focused cloud platform', 'offers managed databases and compute to startups']),
  v('Construction', 'construction', 'project scheduling, bid management, site inspections, equipment tracking', 'project management app, field inspection app', 'site managers, subcontractors', 'general contractor', 'Builders, Construction, Build, Structures',
    ['builds commercial and residential projects across the region', 'makes project software for contractors']),
  v('Transportation', 'transportation and mobility', 'ride matching, fleet management, transit scheduling, fare payments', 'rider app, fleet dashboard', 'riders, drivers', 'transit authority', 'Mobility, Transit, Rides, Motion',
    ['operates a ride-sharing and micromobility service', 'builds scheduling and fare software for transit agencies']),
  v('Sports & Fitness', 'sports and fitness', 'class booking, memberships, workout tracking, coaching', 'fitness app, studio booking platform', 'members, coaches', 'gym chain', 'Fitness, Athletics, Fit, Sport',
    ['runs a chain of boutique fitness studios', 'makes a coaching and workout-tracking app']),
  v('Fashion', 'fashion and apparel', 'merchandising, size recommendations, returns, product drops', 'shopping app, styling service', 'customers, stylists', 'apparel brand', 'Apparel, Threads, Wear, Atelier',
    ['designs and sells apparel online and in flagship stores', 'runs a personal styling subscription']),
  v('Consumer Electronics', 'consumer electronics', 'device setup, firmware updates, smart home automation, warranty claims', 'companion app, smart home hub', 'device owners, support agents', 'electronics retailer', 'Devices, Electronics, Labs, Home',
    ['makes smart home devices and their companion apps', 'designs audio hardware sold worldwide']),
  v('Semiconductors', 'semiconductors', 'wafer yield, test data, fab scheduling, design verification', 'yield analytics platform, test data system', 'process engineers, test engineers', 'chipmaker', 'Silicon, Semiconductor, Micro, Chips',
    ['designs low-power chips for connected devices', 'builds yield analytics for semiconductor fabs']),
  v('Climate Tech', 'climate technology', 'carbon accounting, emissions reporting, energy efficiency, supplier data', 'carbon accounting platform, sustainability dashboard', 'sustainability teams, suppliers', 'consumer goods company', 'Carbon, Climate, Earth, Green',
    ['helps companies measure and cut their emissions', 'builds software for corporate sustainability reporting']),
  v('Home Services', 'home services', 'job scheduling, quotes, technician dispatch, invoicing', 'field service app, booking platform', 'homeowners, technicians', 'home services franchise', 'Home, Services, Pros, Fix',
    ['connects homeowners with vetted repair professionals', 'builds scheduling and dispatch software for contractors']),
];
