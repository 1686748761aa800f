//! Countries as letters need them: the name in English, German and French (for the last
//! line of a postal address), the time zone letters to people there are dated in, and the
//! official languages (a step of the letter language's fallback chain).
//! Generated from the iso-codes package (ISO 3166-1 and its translations) and the tz
//! database's zone.tab; countries with several zones have the zone of their capital, and
//! an empty zone (Antarctica) means the organisation's.

/// (alpha-2, English, German, French, IANA zone)
#[rustfmt::skip]
pub static COUNTRIES: &[(&str, &str, &str, &str, &str)] = &[
    ("AD", "Andorra", "Andorra", "Andorre", "Europe/Andorra"),
    ("AE", "United Arab Emirates", "Vereinigte Arabische Emirate", "Émirats arabes unis", "Asia/Dubai"),
    ("AF", "Afghanistan", "Afghanistan", "Afghanistan", "Asia/Kabul"),
    ("AG", "Antigua and Barbuda", "Antigua und Barbuda", "Antigua-et-Barbuda", "America/Antigua"),
    ("AI", "Anguilla", "Anguilla", "Anguilla", "America/Anguilla"),
    ("AL", "Albania", "Albanien", "Albanie", "Europe/Tirane"),
    ("AM", "Armenia", "Armenien", "Arménie", "Asia/Yerevan"),
    ("AO", "Angola", "Angola", "Angola", "Africa/Luanda"),
    ("AQ", "Antarctica", "Antarktis", "Antarctique", ""),
    ("AR", "Argentina", "Argentinien", "Argentine", "America/Argentina/Buenos_Aires"),
    ("AS", "American Samoa", "Amerikanisch-Samoa", "Samoa américaines", "Pacific/Pago_Pago"),
    ("AT", "Austria", "Österreich", "Autriche", "Europe/Vienna"),
    ("AU", "Australia", "Australien", "Australie", "Australia/Sydney"),
    ("AW", "Aruba", "Aruba", "Aruba", "America/Aruba"),
    ("AX", "Åland Islands", "Åland-Inseln", "Îles Åland", "Europe/Mariehamn"),
    ("AZ", "Azerbaijan", "Aserbaidschan", "Azerbaïdjan", "Asia/Baku"),
    ("BA", "Bosnia and Herzegovina", "Bosnien und Herzegowina", "Bosnie-Herzégovine", "Europe/Sarajevo"),
    ("BB", "Barbados", "Barbados", "Barbade", "America/Barbados"),
    ("BD", "Bangladesh", "Bangladesch", "Bangladesh", "Asia/Dhaka"),
    ("BE", "Belgium", "Belgien", "Belgique", "Europe/Brussels"),
    ("BF", "Burkina Faso", "Burkina Faso", "Burkina Faso", "Africa/Ouagadougou"),
    ("BG", "Bulgaria", "Bulgarien", "Bulgarie", "Europe/Sofia"),
    ("BH", "Bahrain", "Bahrain", "Bahreïn", "Asia/Bahrain"),
    ("BI", "Burundi", "Burundi", "Burundi", "Africa/Bujumbura"),
    ("BJ", "Benin", "Benin", "Bénin", "Africa/Porto-Novo"),
    ("BL", "Saint Barthélemy", "Saint-Barthélemy", "Saint-Barthélemy", "America/St_Barthelemy"),
    ("BM", "Bermuda", "Bermuda", "Bermudes", "Atlantic/Bermuda"),
    ("BN", "Brunei Darussalam", "Brunei Darussalam", "Brunéi Darussalam", "Asia/Brunei"),
    ("BO", "Bolivia", "Bolivien", "Bolivie", "America/La_Paz"),
    ("BQ", "Bonaire, Sint Eustatius and Saba", "Bonaire, Sint Eustatius und Saba", "Bonaire, Saint-Eustache et Saba", "America/Kralendijk"),
    ("BR", "Brazil", "Brasilien", "Brésil", "America/Sao_Paulo"),
    ("BS", "Bahamas", "Bahamas", "Bahamas", "America/Nassau"),
    ("BT", "Bhutan", "Bhutan", "Bhoutan", "Asia/Thimphu"),
    ("BV", "Bouvet Island", "Bouvet-Insel", "île Bouvet", ""),
    ("BW", "Botswana", "Botsuana", "Botswana", "Africa/Gaborone"),
    ("BY", "Belarus", "Belarus", "Bélarus", "Europe/Minsk"),
    ("BZ", "Belize", "Belize", "Belize", "America/Belize"),
    ("CA", "Canada", "Kanada", "Canada", "America/Toronto"),
    ("CC", "Cocos (Keeling) Islands", "Kokos-(Keeling-)Inseln", "Îles Cocos (Keeling)", "Indian/Cocos"),
    ("CD", "Democratic Republic of the Congo", "Demokratische Republik Kongo", "République démocratique du Congo", "Africa/Kinshasa"),
    ("CF", "Central African Republic", "Zentralafrikanische Republik", "République centrafricaine", "Africa/Bangui"),
    ("CG", "Congo", "Kongo", "République du Congo", "Africa/Brazzaville"),
    ("CH", "Switzerland", "Schweiz", "Suisse", "Europe/Zurich"),
    ("CI", "Côte d'Ivoire", "Côte d'Ivoire", "Côte d'Ivoire", "Africa/Abidjan"),
    ("CK", "Cook Islands", "Cookinseln", "îles Cook", "Pacific/Rarotonga"),
    ("CL", "Chile", "Chile", "Chili", "America/Santiago"),
    ("CM", "Cameroon", "Kamerun", "Cameroun", "Africa/Douala"),
    ("CN", "China", "China", "Chine", "Asia/Shanghai"),
    ("CO", "Colombia", "Kolumbien", "Colombie", "America/Bogota"),
    ("CR", "Costa Rica", "Costa Rica", "Costa Rica", "America/Costa_Rica"),
    ("CU", "Cuba", "Kuba", "Cuba", "America/Havana"),
    ("CV", "Cabo Verde", "Kap Verde", "Cap-Vert", "Atlantic/Cape_Verde"),
    ("CW", "Curaçao", "Curaçao", "Curaçao", "America/Curacao"),
    ("CX", "Christmas Island", "Weihnachtsinsel", "Île Christmas", "Indian/Christmas"),
    ("CY", "Cyprus", "Zypern", "Chypre", "Asia/Nicosia"),
    ("CZ", "Czechia", "Tschechien", "Tchéquie", "Europe/Prague"),
    ("DE", "Germany", "Deutschland", "Allemagne", "Europe/Berlin"),
    ("DJ", "Djibouti", "Dschibuti", "Djibouti", "Africa/Djibouti"),
    ("DK", "Denmark", "Dänemark", "Danemark", "Europe/Copenhagen"),
    ("DM", "Dominica", "Dominica", "Dominique", "America/Dominica"),
    ("DO", "Dominican Republic", "Dominikanische Republik", "République dominicaine", "America/Santo_Domingo"),
    ("DZ", "Algeria", "Algerien", "Algérie", "Africa/Algiers"),
    ("EC", "Ecuador", "Ecuador", "Équateur", "America/Guayaquil"),
    ("EE", "Estonia", "Estland", "Estonie", "Europe/Tallinn"),
    ("EG", "Egypt", "Ägypten", "Égypte", "Africa/Cairo"),
    ("EH", "Western Sahara", "Westsahara", "Sahara occidental", "Africa/El_Aaiun"),
    ("ER", "Eritrea", "Eritrea", "Érythrée", "Africa/Asmara"),
    ("ES", "Spain", "Spanien", "Espagne", "Europe/Madrid"),
    ("ET", "Ethiopia", "Äthiopien", "Éthiopie", "Africa/Addis_Ababa"),
    ("FI", "Finland", "Finnland", "Finlande", "Europe/Helsinki"),
    ("FJ", "Fiji", "Fidschi", "Fidji", "Pacific/Fiji"),
    ("FK", "Falkland Islands (Malvinas)", "Falklandinseln (Malwinen)", "Îles Malouines (Falkland)", "Atlantic/Stanley"),
    ("FM", "Micronesia", "Mikronesien", "Micronésie", "Pacific/Pohnpei"),
    ("FO", "Faroe Islands", "Färöer-Inseln", "îles Féroé", "Atlantic/Faroe"),
    ("FR", "France", "Frankreich", "France", "Europe/Paris"),
    ("GA", "Gabon", "Gabun", "Gabon", "Africa/Libreville"),
    ("GB", "United Kingdom", "Vereinigtes Königreich", "Royaume-Uni", "Europe/London"),
    ("GD", "Grenada", "Grenada", "Grenade", "America/Grenada"),
    ("GE", "Georgia", "Georgien", "Géorgie", "Asia/Tbilisi"),
    ("GF", "French Guiana", "Französisch-Guyana", "Guyane française", "America/Cayenne"),
    ("GG", "Guernsey", "Guernsey", "Guernesey", "Europe/Guernsey"),
    ("GH", "Ghana", "Ghana", "Ghana", "Africa/Accra"),
    ("GI", "Gibraltar", "Gibraltar", "Gibraltar", "Europe/Gibraltar"),
    ("GL", "Greenland", "Grönland", "Groënland", "America/Nuuk"),
    ("GM", "Gambia", "Gambia", "Gambie", "Africa/Banjul"),
    ("GN", "Guinea", "Guinea", "Guinée", "Africa/Conakry"),
    ("GP", "Guadeloupe", "Guadeloupe", "Guadeloupe", "America/Guadeloupe"),
    ("GQ", "Equatorial Guinea", "Äquatorialguinea", "Guinée Équatoriale", "Africa/Malabo"),
    ("GR", "Greece", "Griechenland", "Grèce", "Europe/Athens"),
    ("GS", "South Georgia and the South Sandwich Islands", "South Georgia und die Südlichen Sandwichinseln", "Géorgie du Sud et les îles Sandwich du Sud", "Atlantic/South_Georgia"),
    ("GT", "Guatemala", "Guatemala", "Guatemala", "America/Guatemala"),
    ("GU", "Guam", "Guam", "Guam", "Pacific/Guam"),
    ("GW", "Guinea-Bissau", "Guinea-Bissau", "Guinée-Bissau", "Africa/Bissau"),
    ("GY", "Guyana", "Guyana", "Guyana", "America/Guyana"),
    ("HK", "Hong Kong", "Hongkong", "Hong Kong", "Asia/Hong_Kong"),
    ("HM", "Heard Island and McDonald Islands", "Heard und McDonaldinseln", "îles Heard-et-MacDonald", ""),
    ("HN", "Honduras", "Honduras", "Honduras", "America/Tegucigalpa"),
    ("HR", "Croatia", "Kroatien", "Croatie", "Europe/Zagreb"),
    ("HT", "Haiti", "Haiti", "Haïti", "America/Port-au-Prince"),
    ("HU", "Hungary", "Ungarn", "Hongrie", "Europe/Budapest"),
    ("ID", "Indonesia", "Indonesien", "Indonésie", "Asia/Jakarta"),
    ("IE", "Ireland", "Irland", "Irlande", "Europe/Dublin"),
    ("IL", "Israel", "Israel", "Israël", "Asia/Jerusalem"),
    ("IM", "Isle of Man", "Insel Man", "Île de Man", "Europe/Isle_of_Man"),
    ("IN", "India", "Indien", "Inde", "Asia/Kolkata"),
    ("IO", "British Indian Ocean Territory", "Britisches Territorium im Indischen Ozean", "Territoire britannique de l'océan Indien", "Indian/Chagos"),
    ("IQ", "Iraq", "Irak", "Irak", "Asia/Baghdad"),
    ("IR", "Iran", "Iran", "Iran", "Asia/Tehran"),
    ("IS", "Iceland", "Island", "Islande", "Atlantic/Reykjavik"),
    ("IT", "Italy", "Italien", "Italie", "Europe/Rome"),
    ("JE", "Jersey", "Jersey", "Jersey", "Europe/Jersey"),
    ("JM", "Jamaica", "Jamaika", "Jamaïque", "America/Jamaica"),
    ("JO", "Jordan", "Jordanien", "Jordanie", "Asia/Amman"),
    ("JP", "Japan", "Japan", "Japon", "Asia/Tokyo"),
    ("KE", "Kenya", "Kenia", "Kenya", "Africa/Nairobi"),
    ("KG", "Kyrgyzstan", "Kirgisistan", "Kirghizistan", "Asia/Bishkek"),
    ("KH", "Cambodia", "Kambodscha", "Cambodge", "Asia/Phnom_Penh"),
    ("KI", "Kiribati", "Kiribati", "Kiribati", "Pacific/Tarawa"),
    ("KM", "Comoros", "Komoren", "Comores", "Indian/Comoro"),
    ("KN", "Saint Kitts and Nevis", "St. Kitts und Nevis", "Saint-Christophe-et-Niévès", "America/St_Kitts"),
    ("KP", "North Korea", "Nordkorea", "Corée du Nord", "Asia/Pyongyang"),
    ("KR", "South Korea", "Südkorea", "Corée du Sud", "Asia/Seoul"),
    ("KW", "Kuwait", "Kuwait", "Koweït", "Asia/Kuwait"),
    ("KY", "Cayman Islands", "Cayman-Inseln", "îles Caïmans", "America/Cayman"),
    ("KZ", "Kazakhstan", "Kasachstan", "Kazakhstan", "Asia/Almaty"),
    ("LA", "Laos", "Laos", "Laos", "Asia/Vientiane"),
    ("LB", "Lebanon", "Libanon", "Liban", "Asia/Beirut"),
    ("LC", "Saint Lucia", "St. Lucia", "Sainte-Lucie", "America/St_Lucia"),
    ("LI", "Liechtenstein", "Liechtenstein", "Liechtenstein", "Europe/Vaduz"),
    ("LK", "Sri Lanka", "Sri Lanka", "Sri Lanka", "Asia/Colombo"),
    ("LR", "Liberia", "Liberia", "Libéria", "Africa/Monrovia"),
    ("LS", "Lesotho", "Lesotho", "Lesotho", "Africa/Maseru"),
    ("LT", "Lithuania", "Litauen", "Lituanie", "Europe/Vilnius"),
    ("LU", "Luxembourg", "Luxemburg", "Luxembourg", "Europe/Luxembourg"),
    ("LV", "Latvia", "Lettland", "Lettonie", "Europe/Riga"),
    ("LY", "Libya", "Libyen", "Libye", "Africa/Tripoli"),
    ("MA", "Morocco", "Marokko", "Maroc", "Africa/Casablanca"),
    ("MC", "Monaco", "Monaco", "Monaco", "Europe/Monaco"),
    ("MD", "Moldova", "Moldau", "Moldavie", "Europe/Chisinau"),
    ("ME", "Montenegro", "Montenegro", "Monténégro", "Europe/Podgorica"),
    ("MF", "Saint Martin (French part)", "Saint Martin (Französischer Teil)", "Saint-Martin (partie française)", "America/Marigot"),
    ("MG", "Madagascar", "Madagaskar", "Madagascar", "Indian/Antananarivo"),
    ("MH", "Marshall Islands", "Marshallinseln", "Îles Marshall", "Pacific/Majuro"),
    ("MK", "North Macedonia", "Nordmazedonien", "Macédoine du Nord", "Europe/Skopje"),
    ("ML", "Mali", "Mali", "Mali", "Africa/Bamako"),
    ("MM", "Myanmar", "Myanmar", "Birmanie", "Asia/Yangon"),
    ("MN", "Mongolia", "Mongolei", "Mongolie", "Asia/Ulaanbaatar"),
    ("MO", "Macao", "Macao", "Macau", "Asia/Macau"),
    ("MP", "Northern Mariana Islands", "Nördliche Marianen", "Îles Mariannes du Nord", "Pacific/Saipan"),
    ("MQ", "Martinique", "Martinique", "Martinique", "America/Martinique"),
    ("MR", "Mauritania", "Mauretanien", "Mauritanie", "Africa/Nouakchott"),
    ("MS", "Montserrat", "Montserrat", "Montserrat", "America/Montserrat"),
    ("MT", "Malta", "Malta", "Malte", "Europe/Malta"),
    ("MU", "Mauritius", "Mauritius", "Maurice", "Indian/Mauritius"),
    ("MV", "Maldives", "Malediven", "Maldives", "Indian/Maldives"),
    ("MW", "Malawi", "Malawi", "Malawi", "Africa/Blantyre"),
    ("MX", "Mexico", "Mexiko", "Mexique", "America/Mexico_City"),
    ("MY", "Malaysia", "Malaysia", "Malaisie", "Asia/Kuala_Lumpur"),
    ("MZ", "Mozambique", "Mosambik", "Mozambique", "Africa/Maputo"),
    ("NA", "Namibia", "Namibia", "Namibie", "Africa/Windhoek"),
    ("NC", "New Caledonia", "Neukaledonien", "Nouvelle-Calédonie", "Pacific/Noumea"),
    ("NE", "Niger", "Niger", "Niger", "Africa/Niamey"),
    ("NF", "Norfolk Island", "Norfolkinsel", "île Norfolk", "Pacific/Norfolk"),
    ("NG", "Nigeria", "Nigeria", "Nigeria", "Africa/Lagos"),
    ("NI", "Nicaragua", "Nicaragua", "Nicaragua", "America/Managua"),
    ("NL", "Netherlands", "Niederlande", "Pays-Bas", "Europe/Amsterdam"),
    ("NO", "Norway", "Norwegen", "Norvège", "Europe/Oslo"),
    ("NP", "Nepal", "Nepal", "Népal", "Asia/Kathmandu"),
    ("NR", "Nauru", "Nauru", "Nauru", "Pacific/Nauru"),
    ("NU", "Niue", "Niue", "Nioue", "Pacific/Niue"),
    ("NZ", "New Zealand", "Neuseeland", "Nouvelle-Zélande", "Pacific/Auckland"),
    ("OM", "Oman", "Oman", "Oman", "Asia/Muscat"),
    ("PA", "Panama", "Panama", "Panama", "America/Panama"),
    ("PE", "Peru", "Peru", "Pérou", "America/Lima"),
    ("PF", "French Polynesia", "Französisch-Polynesien", "Polynésie française", "Pacific/Tahiti"),
    ("PG", "Papua New Guinea", "Papua-Neuguinea", "Papouasie-Nouvelle-Guinée", "Pacific/Port_Moresby"),
    ("PH", "Philippines", "Philippinen", "Philippines", "Asia/Manila"),
    ("PK", "Pakistan", "Pakistan", "Pakistan", "Asia/Karachi"),
    ("PL", "Poland", "Polen", "Pologne", "Europe/Warsaw"),
    ("PM", "Saint Pierre and Miquelon", "St. Pierre und Miquelon", "Saint-Pierre-et-Miquelon", "America/Miquelon"),
    ("PN", "Pitcairn", "Pitcairn", "Îles Pitcairn", "Pacific/Pitcairn"),
    ("PR", "Puerto Rico", "Puerto Rico", "Porto Rico", "America/Puerto_Rico"),
    ("PS", "Palestine", "Palästina", "Palestine", "Asia/Hebron"),
    ("PT", "Portugal", "Portugal", "Portugal", "Europe/Lisbon"),
    ("PW", "Palau", "Palau", "Palaos", "Pacific/Palau"),
    ("PY", "Paraguay", "Paraguay", "Paraguay", "America/Asuncion"),
    ("QA", "Qatar", "Katar", "Qatar", "Asia/Qatar"),
    ("RE", "Réunion", "Réunion", "La Réunion", "Indian/Reunion"),
    ("RO", "Romania", "Rumänien", "Roumanie", "Europe/Bucharest"),
    ("RS", "Serbia", "Serbien", "Serbie", "Europe/Belgrade"),
    ("RU", "Russia", "Russland", "Russie", "Europe/Moscow"),
    ("RW", "Rwanda", "Ruanda", "Rwanda", "Africa/Kigali"),
    ("SA", "Saudi Arabia", "Saudi-Arabien", "Arabie saoudite", "Asia/Riyadh"),
    ("SB", "Solomon Islands", "Salomoninseln", "Îles Salomon", "Pacific/Guadalcanal"),
    ("SC", "Seychelles", "Seychellen", "Seychelles", "Indian/Mahe"),
    ("SD", "Sudan", "Sudan", "Soudan", "Africa/Khartoum"),
    ("SE", "Sweden", "Schweden", "Suède", "Europe/Stockholm"),
    ("SG", "Singapore", "Singapur", "Singapour", "Asia/Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha", "St. Helena, Ascension und Tristan da Cunha", "Sainte-Hélène, Ascension et Tristan da Cunha", "Atlantic/St_Helena"),
    ("SI", "Slovenia", "Slowenien", "Slovénie", "Europe/Ljubljana"),
    ("SJ", "Svalbard and Jan Mayen", "Svalbard und Jan Mayen", "Svalbard et île Jan Mayen", "Arctic/Longyearbyen"),
    ("SK", "Slovakia", "Slowakei", "Slovaquie", "Europe/Bratislava"),
    ("SL", "Sierra Leone", "Sierra Leone", "Sierra Leone", "Africa/Freetown"),
    ("SM", "San Marino", "San Marino", "Saint-Marin", "Europe/San_Marino"),
    ("SN", "Senegal", "Senegal", "Sénégal", "Africa/Dakar"),
    ("SO", "Somalia", "Somalia", "Somalie", "Africa/Mogadishu"),
    ("SR", "Suriname", "Suriname", "Surinam", "America/Paramaribo"),
    ("SS", "South Sudan", "Südsudan", "Soudan du Sud", "Africa/Juba"),
    ("ST", "Sao Tome and Principe", "São Tomé und Príncipe", "Sao Tomé-et-Principe", "Africa/Sao_Tome"),
    ("SV", "El Salvador", "El Salvador", "Salvador", "America/El_Salvador"),
    ("SX", "Sint Maarten (Dutch part)", "Saint-Martin (Niederländischer Teil)", "Saint-Martin (partie néerlandaise)", "America/Lower_Princes"),
    ("SY", "Syria", "Syrien", "Syrie", "Asia/Damascus"),
    ("SZ", "Eswatini", "Eswatini", "Eswatini", "Africa/Mbabane"),
    ("TC", "Turks and Caicos Islands", "Turks- und Caicosinseln", "îles Turques-et-Caïques", "America/Grand_Turk"),
    ("TD", "Chad", "Tschad", "Tchad", "Africa/Ndjamena"),
    ("TF", "French Southern Territories", "Französische Süd- und Antarktisgebiete", "Terres australes françaises", "Indian/Kerguelen"),
    ("TG", "Togo", "Togo", "Togo", "Africa/Lome"),
    ("TH", "Thailand", "Thailand", "Thaïlande", "Asia/Bangkok"),
    ("TJ", "Tajikistan", "Tadschikistan", "Tadjikistan", "Asia/Dushanbe"),
    ("TK", "Tokelau", "Tokelau", "Tokelau", "Pacific/Fakaofo"),
    ("TL", "Timor-Leste", "Timor-Leste", "Timor oriental", "Asia/Dili"),
    ("TM", "Turkmenistan", "Turkmenistan", "Turkménistan", "Asia/Ashgabat"),
    ("TN", "Tunisia", "Tunesien", "Tunisie", "Africa/Tunis"),
    ("TO", "Tonga", "Tonga", "Tonga", "Pacific/Tongatapu"),
    ("TR", "Türkiye", "Türkei", "Türkiye", "Europe/Istanbul"),
    ("TT", "Trinidad and Tobago", "Trinidad und Tobago", "Trinité-et-Tobago", "America/Port_of_Spain"),
    ("TV", "Tuvalu", "Tuvalu", "Tuvalu", "Pacific/Funafuti"),
    ("TW", "Taiwan", "Taiwan", "Taïwan", "Asia/Taipei"),
    ("TZ", "Tanzania", "Tansania", "Tanzanie", "Africa/Dar_es_Salaam"),
    ("UA", "Ukraine", "Ukraine", "Ukraine", "Europe/Kyiv"),
    ("UG", "Uganda", "Uganda", "Ouganda", "Africa/Kampala"),
    ("UM", "United States Minor Outlying Islands", "United States Minor Outlying Islands", "Îles mineures éloignées des États-Unis", "Pacific/Midway"),
    ("US", "United States", "Vereinigte Staaten", "États-Unis", "America/New_York"),
    ("UY", "Uruguay", "Uruguay", "Uruguay", "America/Montevideo"),
    ("UZ", "Uzbekistan", "Usbekistan", "Ouzbékistan", "Asia/Tashkent"),
    ("VA", "Holy See (Vatican City State)", "Heiliger Stuhl (Staat Vatikanstadt)", "Saint-Siège (état de la cité du Vatican)", "Europe/Vatican"),
    ("VC", "Saint Vincent and the Grenadines", "St. Vincent und die Grenadinen", "Saint-Vincent-et-les-Grenadines", "America/St_Vincent"),
    ("VE", "Venezuela", "Venezuela", "Vénézuela", "America/Caracas"),
    ("VG", "British Virgin Islands", "Britische Jungferninseln", "Îles Vierges britanniques", "America/Tortola"),
    ("VI", "United States Virgin Islands", "Amerikanische Jungferninseln", "Îles Vierges des États-Unis", "America/St_Thomas"),
    ("VN", "Vietnam", "Vietnam", "Viêt Nam", "Asia/Ho_Chi_Minh"),
    ("VU", "Vanuatu", "Vanuatu", "Vanuatu", "Pacific/Efate"),
    ("WF", "Wallis and Futuna", "Wallis und Futuna", "Wallis et Futuna", "Pacific/Wallis"),
    ("WS", "Samoa", "Samoa", "Samoa", "Pacific/Apia"),
    ("YE", "Yemen", "Jemen", "Yémen", "Asia/Aden"),
    ("YT", "Mayotte", "Mayotte", "Mayotte", "Indian/Mayotte"),
    ("ZA", "South Africa", "Südafrika", "Afrique du Sud", "Africa/Johannesburg"),
    ("ZM", "Zambia", "Sambia", "Zambie", "Africa/Lusaka"),
    ("ZW", "Zimbabwe", "Simbabwe", "Zimbabwe", "Africa/Harare"),
];

fn find(
    code: &str,
) -> Option<&'static (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    let code = code.trim().to_ascii_uppercase();
    COUNTRIES
        .binary_search_by(|c| c.0.cmp(code.as_str()))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// The country's name in `lang` (`en`, `de`, `fr`; other languages get the English name);
/// `None` for a code that is not ISO 3166-1 alpha-2.
pub fn name(code: &str, lang: &str) -> Option<&'static str> {
    find(code).map(|c| match lang {
        "de" => c.2,
        "fr" => c.3,
        _ => c.1,
    })
}

/// Official languages of countries that have several, beyond the one CLDR's likely-subtags
/// data name for the country, most speakers first. From CLDR's territoryInfo
/// (`officialStatus="official"`, supplementalData.xml); regional official languages are not
/// listed.
#[rustfmt::skip]
static MORE_OFFICIAL: &[(&str, &[&str])] = &[
    ("AF", &["ps"]), ("BA", &["hr", "sr"]), ("BE", &["fr", "de"]), ("BY", &["ru"]),
    ("CA", &["fr"]), ("CH", &["fr", "it", "rm"]), ("CM", &["en"]), ("CY", &["tr"]),
    ("FI", &["sv"]), ("HK", &["en"]), ("IE", &["ga"]), ("KE", &["en"]), ("KG", &["ru"]),
    ("KZ", &["kk"]), ("LU", &["fr", "de"]), ("MK", &["sq"]), ("MO", &["pt"]), ("MT", &["en"]),
    ("NZ", &["mi"]), ("PH", &["en"]), ("PK", &["en"]), ("PR", &["en"]), ("RW", &["en", "fr"]),
    ("SG", &["zh", "ms", "ta"]), ("TZ", &["en"]),
];

/// The official languages of the country (ISO 3166-1 alpha-2), most speakers first: the
/// country's likely language from CLDR (through ICU4X), then the others it has. Empty for a
/// code that is not a country.
pub fn official_languages(code: &str) -> Vec<String> {
    static EXPANDER: std::sync::LazyLock<icu_locale::LocaleExpander> =
        std::sync::LazyLock::new(icu_locale::LocaleExpander::new_common);
    let Some(country) = find(code) else {
        return Vec::new();
    };
    let mut languages = Vec::new();
    if let Ok(region) = country.0.parse::<icu_locale_core::subtags::Region>() {
        let mut id = icu_locale_core::LanguageIdentifier::UNKNOWN;
        id.region = Some(region);
        EXPANDER.maximize(&mut id);
        if !id.language.is_unknown() {
            languages.push(id.language.as_str().to_string());
        }
    }
    let more = MORE_OFFICIAL
        .binary_search_by(|(c, _)| c.cmp(&country.0))
        .map_or(&[][..], |i| MORE_OFFICIAL[i].1);
    for lang in more {
        if !languages.iter().any(|l| l == lang) {
            languages.push((*lang).to_string());
        }
    }
    languages
}

/// The zone letters to people in the country are dated in (the capital's where the country
/// has several); `None` for an unknown code or a country without one.
pub fn zone(code: &str) -> Option<chrono_tz::Tz> {
    find(code).and_then(|c| c.4.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zone_is_known_and_the_table_is_sorted() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for c in COUNTRIES.iter().filter(|c| !c.4.is_empty()) {
            assert!(c.4.parse::<chrono_tz::Tz>().is_ok(), "{} {}", c.0, c.4);
        }
    }

    #[test]
    fn names_and_zones() {
        assert_eq!(name("at", "de"), Some("Österreich"));
        assert_eq!(name("GB", "fr"), Some("Royaume-Uni"));
        assert_eq!(name("DE", "it"), Some("Germany"));
        assert_eq!(name("XX", "en"), None);
        assert_eq!(zone("US"), Some(chrono_tz::America::New_York));
        assert_eq!(zone("AU"), Some(chrono_tz::Australia::Sydney));
        assert_eq!(zone("AQ"), None);
        assert!(MORE_OFFICIAL.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(official_languages("es"), ["es"]);
        assert_eq!(official_languages("AT"), ["de"]);
        assert_eq!(official_languages("BE"), ["nl", "fr", "de"]);
        assert_eq!(official_languages("CH"), ["de", "fr", "it", "rm"]);
        assert_eq!(official_languages("PL"), ["pl"]);
        assert_eq!(official_languages("XX"), Vec::<String>::new());
    }
}
