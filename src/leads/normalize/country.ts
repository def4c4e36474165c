/**
 * Country rule, and the one country table the phone rule reads its region from: ISO 3166-1 alpha-2
 * for a two-letter code, an alpha-3 code or a country name, in any case and with or without
 * accents. A name the table does not know is kept as sent.
 *
 * The names are a fixed list in this file, not Intl.DisplayNames at run time: ICU's English names
 * differ between runtimes (Node says "Hong Kong SAR China" where workerd says "Hong Kong"), and the
 * rules must give the same answer in both. The list holds both runtimes' names (CLDR, long and short
 * forms), the ISO 3166-1 English short names, and forms people type (UK, USA, England, Deutschland).
 */
import { cleanText, isPlaceholder } from './text';

// One line per code: alpha-2, alpha-3 ("-" for AC, TA and XK, codes libphonenumber knows that ISO
// 3166-1 does not assign), then the names, separated by "|".
const TABLE = `
AD AND Andorra
AE ARE United Arab Emirates|UAE|Emirates
AF AFG Afghanistan
AG ATG Antigua & Barbuda
AI AIA Anguilla
AL ALB Albania
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria|Österreich
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan
BA BIH Bosnia & Herzegovina|Bosnia|Bosnia and Herzegovina|Bosnia-Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium|België|Belgique
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM St. Barthélemy
BM BMU Bermuda
BN BRN Brunei|Brunei Darussalam
BO BOL Bolivia|Bolivia, Plurinational State of
BQ BES Caribbean Netherlands|Bonaire, Sint Eustatius and Saba|Bonaire
BR BRA Brazil|Brasil
BS BHS Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands|Cocos Islands
CD COD Congo - Kinshasa|Democratic Republic of the Congo|DR Congo|DRC|Congo, The Democratic Republic of the|Congo-Kinshasa
CF CAF Central African Republic
CG COG Congo - Brazzaville|Republic of the Congo|Congo|Congo-Brazzaville
CH CHE Switzerland|Schweiz|Suisse|Svizzera
CI CIV Côte d’Ivoire|Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China|People's Republic of China|PRC
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cape Verde|Cabo Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czechia|Czech Republic|Česko
DE DEU Germany|Deutschland
DJ DJI Djibouti
DK DNK Denmark|Danmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain|España
ET ETH Ethiopia
FI FIN Finland|Suomi
FJ FJI Fiji
FK FLK Falkland Islands|Falkland Islands (Islas Malvinas)|Falkland Islands (Malvinas)
FM FSM Micronesia|Federated States of Micronesia|Micronesia, Federated States of
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|United Kingdom of Great Britain and Northern Ireland|U.K.
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece
GS SGS South Georgia & South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong SAR China|Hong Kong|Hong Kong SAR
HM HMD Heard & McDonald Islands
HN HND Honduras
HR HRV Croatia|Hrvatska
HT HTI Haiti
HU HUN Hungary|Magyarország
ID IDN Indonesia
IE IRL Ireland|Republic of Ireland|Éire
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran|Iran, Islamic Republic of
IS ISL Iceland
IT ITA Italy|Italia
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA St. Kitts & Nevis|Saint Kitts and Nevis
KP PRK North Korea|Korea, Democratic People's Republic of|DPRK
KR KOR South Korea|Korea, Republic of|Republic of Korea
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Laos|Lao People's Democratic Republic|Lao PDR
LB LBN Lebanon
LC LCA St. Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova|Moldova, Republic of|Republic of Moldova
ME MNE Montenegro
MF MAF St. Martin
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia|Macedonia
ML MLI Mali
MM MMR Myanmar (Burma)|Myanmar|Burma
MN MNG Mongolia
MO MAC Macao SAR China|Macao|Macau|Macao SAR
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico|México
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands|Holland|Nederland
NO NOR Norway|Norge
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman
PA PAN Panama
PE PER Peru
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland|Polska
PM SPM St. Pierre & Miquelon
PN PCN Pitcairn Islands|Pitcairn
PR PRI Puerto Rico
PS PSE Palestinian Territories|Palestine|State of Palestine
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia
RU RUS Russia|Russian Federation
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden|Sverige
SG SGP Singapore
SH SHN St. Helena
SI SVN Slovenia
SJ SJM Svalbard & Jan Mayen
SK SVK Slovakia|Slovak Republic
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP São Tomé & Príncipe|Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten
SY SYR Syria|Syrian Arab Republic
SZ SWZ Eswatini|Swaziland
TC TCA Turks & Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste|East Timor
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Türkiye|Turkey
TT TTO Trinidad & Tobago
TV TUV Tuvalu
TW TWN Taiwan|Taiwan, Province of China
TZ TZA Tanzania|Tanzania, United Republic of|United Republic of Tanzania
UA UKR Ukraine
UG UGA Uganda
UM UMI U.S. Outlying Islands|United States Minor Outlying Islands
US USA United States|USA|U.S.|U.S.A.|United States of America|America
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Vatican City|Vatican|Holy See
VC VCT St. Vincent & Grenadines|Saint Vincent and the Grenadines
VE VEN Venezuela|Venezuela, Bolivarian Republic of
VG VGB British Virgin Islands|Virgin Islands, British
VI VIR U.S. Virgin Islands|Virgin Islands, U.S.|US Virgin Islands
VN VNM Vietnam|Viet Nam
VU VUT Vanuatu
WF WLF Wallis & Futuna
WS WSM Samoa
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe
AC - Ascension Island
TA - Tristan da Cunha
XK - Kosovo
`;

export interface Country {
  alpha2: string;
  alpha3?: string;
  names: string[];
}

/** The table's rows, parsed. */
export function countries(): Country[] {
  return TABLE.trim()
    .split('\n')
    .map((line) => {
      const [alpha2 = '', alpha3 = '', ...rest] = line.split(' ');
      const names = rest.join(' ').split('|');
      return alpha3 === '-' ? { alpha2, names } : { alpha2, alpha3, names };
    });
}

interface Lookup {
  alpha3: Map<string, string>;
  names: Map<string, string>;
}

let lookup: Lookup | undefined;

// Built once per isolate, on first use.
function tables(): Lookup {
  if (lookup) return lookup;
  const built: Lookup = { alpha3: new Map(), names: new Map() };
  for (const { alpha2, alpha3, names } of countries()) {
    if (alpha3) built.alpha3.set(alpha3, alpha2);
    for (const name of names) built.names.set(foldCountryName(name), alpha2);
  }
  lookup = built;
  return built;
}

// Longer than any country name: not looked up, kept as sent.
const NAME_MAX_LENGTH = 80;

/**
 * How a name is compared: accents dropped, lowercase, "&" read as "and", "St" as "Saint", dots and
 * apostrophes dropped ("U.S.A." = "USA", "Cote d'Ivoire" = "Côte d’Ivoire"), any other run of
 * punctuation a space, and the word "the" ignored ("The Gambia" = "Gambia").
 */
export function foldCountryName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'\u2018\u2019`]/gu, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '' && word !== 'the')
    .map((word) => (word === 'st' ? 'saint' : word))
    .join(' ');
}

/**
 * The ISO 3166-1 alpha-2 code a country field means, or undefined when the table does not know it.
 * Any two letters are taken as a code (uppercased; "UK", which ISO reserves, is GB), so a code the
 * table lacks still reads as one.
 */
export function countryCode(text: string): string | undefined {
  if (/^[a-z]{2}$/i.test(text)) {
    const code = text.toUpperCase();
    return code === 'UK' ? 'GB' : code;
  }
  const { alpha3, names } = tables();
  if (/^[a-z]{3}$/i.test(text)) {
    const code = alpha3.get(text.toUpperCase());
    if (code) return code;
  }
  return text.length > NAME_MAX_LENGTH ? undefined : names.get(foldCountryName(text));
}

/**
 * The lead's `country`: the alpha-2 code when the field names a country, the text as sent when it
 * does not, nothing for a placeholder. Two letters are always a code, so Norway's "no" and
 * Namibia's "na" are never read as the placeholders "no" and "na".
 */
export function normalizeCountry(raw: string | undefined): string | undefined {
  const text = cleanText(raw, { stripEmoji: true });
  if (text === undefined) return undefined;
  if (!/^[a-z]{2}$/i.test(text) && isPlaceholder(text)) return undefined;
  return countryCode(text) ?? text;
}
