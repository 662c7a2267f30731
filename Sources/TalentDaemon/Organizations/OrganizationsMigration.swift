import GRDB
import TalentStorage

/// The organizations table, seeded with the 17 central bodies and 34 provincial-level units of
/// July 2025 (copied from the program's reference data). Admins add more; a correction to the
/// seed is a new migration, never an edit of this one.
enum OrganizationsMigration {
    // The kinds are spelled out here; `OrgKind` is their Swift side, checked against the
    // contract at start-up. A new kind is a new migration that rebuilds the table's CHECK.
    static func register(in migrations: inout Migrations) {
        migrations.register("0002_organizations") { db in
            try db.execute(sql: """
                CREATE TABLE org (
                    code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 32),
                    kind TEXT NOT NULL CHECK (kind IN ('ministry', 'ministerial_agency', 'central_city', 'province', 'government_agency', 'other')),
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    name_en TEXT,
                    parent TEXT REFERENCES org(code),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX org_kind ON org(kind, code);
                WITH seed(code, kind, name, name_en) AS (VALUES
                    ('MOD', 'ministry', 'Bộ Quốc phòng', 'Ministry of National Defence'),
                    ('MPS', 'ministry', 'Bộ Công an', 'Ministry of Public Security'),
                    ('MOFA', 'ministry', 'Bộ Ngoại giao', 'Ministry of Foreign Affairs'),
                    ('MOHA', 'ministry', 'Bộ Nội vụ', 'Ministry of Home Affairs'),
                    ('MOJ', 'ministry', 'Bộ Tư pháp', 'Ministry of Justice'),
                    ('MOF', 'ministry', 'Bộ Tài chính', 'Ministry of Finance'),
                    ('MOIT', 'ministry', 'Bộ Công Thương', 'Ministry of Industry and Trade'),
                    ('MAE', 'ministry', 'Bộ Nông nghiệp và Môi trường', 'Ministry of Agriculture and Environment'),
                    ('MOC', 'ministry', 'Bộ Xây dựng', 'Ministry of Construction'),
                    ('MOCST', 'ministry', 'Bộ Văn hóa, Thể thao và Du lịch', 'Ministry of Culture, Sports and Tourism'),
                    ('MOST', 'ministry', 'Bộ Khoa học và Công nghệ', 'Ministry of Science and Technology'),
                    ('MOET', 'ministry', 'Bộ Giáo dục và Đào tạo', 'Ministry of Education and Training'),
                    ('MOH', 'ministry', 'Bộ Y tế', 'Ministry of Health'),
                    ('MERA', 'ministry', 'Bộ Dân tộc và Tôn giáo', 'Ministry of Ethnic and Religious Affairs'),
                    ('SBV', 'ministerial_agency', 'Ngân hàng Nhà nước Việt Nam', 'State Bank of Vietnam'),
                    ('GI', 'ministerial_agency', 'Thanh tra Chính phủ', 'Government Inspectorate'),
                    ('GO', 'ministerial_agency', 'Văn phòng Chính phủ', 'Government Office'),
                    ('HA-NOI', 'central_city', 'Thành phố Hà Nội', 'Hanoi City'),
                    ('HUE', 'central_city', 'Thành phố Huế', 'Hue City'),
                    ('HAI-PHONG', 'central_city', 'Thành phố Hải Phòng', 'Hai Phong City'),
                    ('DA-NANG', 'central_city', 'Thành phố Đà Nẵng', 'Da Nang City'),
                    ('HO-CHI-MINH', 'central_city', 'Thành phố Hồ Chí Minh', 'Ho Chi Minh City'),
                    ('CAN-THO', 'central_city', 'Thành phố Cần Thơ', 'Can Tho City'),
                    ('LAI-CHAU', 'province', 'Tỉnh Lai Châu', 'Lai Chau Province'),
                    ('DIEN-BIEN', 'province', 'Tỉnh Điện Biên', 'Dien Bien Province'),
                    ('SON-LA', 'province', 'Tỉnh Sơn La', 'Son La Province'),
                    ('LANG-SON', 'province', 'Tỉnh Lạng Sơn', 'Lang Son Province'),
                    ('QUANG-NINH', 'province', 'Tỉnh Quảng Ninh', 'Quang Ninh Province'),
                    ('THANH-HOA', 'province', 'Tỉnh Thanh Hóa', 'Thanh Hoa Province'),
                    ('NGHE-AN', 'province', 'Tỉnh Nghệ An', 'Nghe An Province'),
                    ('HA-TINH', 'province', 'Tỉnh Hà Tĩnh', 'Ha Tinh Province'),
                    ('CAO-BANG', 'province', 'Tỉnh Cao Bằng', 'Cao Bang Province'),
                    ('TUYEN-QUANG', 'province', 'Tỉnh Tuyên Quang', 'Tuyen Quang Province'),
                    ('LAO-CAI', 'province', 'Tỉnh Lào Cai', 'Lao Cai Province'),
                    ('THAI-NGUYEN', 'province', 'Tỉnh Thái Nguyên', 'Thai Nguyen Province'),
                    ('PHU-THO', 'province', 'Tỉnh Phú Thọ', 'Phu Tho Province'),
                    ('BAC-NINH', 'province', 'Tỉnh Bắc Ninh', 'Bac Ninh Province'),
                    ('HUNG-YEN', 'province', 'Tỉnh Hưng Yên', 'Hung Yen Province'),
                    ('NINH-BINH', 'province', 'Tỉnh Ninh Bình', 'Ninh Binh Province'),
                    ('QUANG-TRI', 'province', 'Tỉnh Quảng Trị', 'Quang Tri Province'),
                    ('QUANG-NGAI', 'province', 'Tỉnh Quảng Ngãi', 'Quang Ngai Province'),
                    ('GIA-LAI', 'province', 'Tỉnh Gia Lai', 'Gia Lai Province'),
                    ('KHANH-HOA', 'province', 'Tỉnh Khánh Hòa', 'Khanh Hoa Province'),
                    ('LAM-DONG', 'province', 'Tỉnh Lâm Đồng', 'Lam Dong Province'),
                    ('DAK-LAK', 'province', 'Tỉnh Đắk Lắk', 'Dak Lak Province'),
                    ('DONG-NAI', 'province', 'Tỉnh Đồng Nai', 'Dong Nai Province'),
                    ('TAY-NINH', 'province', 'Tỉnh Tây Ninh', 'Tay Ninh Province'),
                    ('VINH-LONG', 'province', 'Tỉnh Vĩnh Long', 'Vinh Long Province'),
                    ('DONG-THAP', 'province', 'Tỉnh Đồng Tháp', 'Dong Thap Province'),
                    ('CA-MAU', 'province', 'Tỉnh Cà Mau', 'Ca Mau Province'),
                    ('AN-GIANG', 'province', 'Tỉnh An Giang', 'An Giang Province')
                )
                INSERT INTO org(code, kind, name, name_en, created_at, updated_at)
                SELECT code, kind, name, name_en, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM seed;
                """)
        }
    }
}
