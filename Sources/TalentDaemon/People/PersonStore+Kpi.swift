import GRDB

extension PersonStore {
    /// The registry's completeness now. Possible duplicates use person.create's rule (same folded
    /// name and birth date, or same email ignoring case); nothing marks a pair resolved, so every
    /// pair found counts.
    func dataQuality() throws -> DataQuality {
        let row = try Row.fetchOne(db, sql: """
            SELECT count(*) AS persons,
                   coalesce(sum(coalesce(birth_date, '') = ''), 0) AS no_birth,
                   coalesce(sum(coalesce(national_id, '') = ''), 0) AS no_id,
                   coalesce(sum(coalesce(employer, '') = ''), 0) AS no_employer
            FROM person
            """)!
        let pairs = """
            SELECT a.id AS a, b.id AS b FROM person a JOIN person b
                ON b.name_key = a.name_key AND b.birth_date = a.birth_date AND b.id > a.id
            UNION
            SELECT a.id, b.id FROM person a JOIN person b
                ON b.email = a.email COLLATE NOCASE AND b.id > a.id WHERE a.email IS NOT NULL
            """
        let duplicates = try Row.fetchOne(db, sql: """
            WITH pair AS (\(pairs))
            SELECT (SELECT count(*) FROM pair) AS pairs,
                   (SELECT count(*) FROM (SELECT a FROM pair UNION SELECT b FROM pair)) AS persons
            """)!
        return DataQuality(persons: row["persons"], missingBirthDate: row["no_birth"], missingNationalID: row["no_id"],
                           missingEmployer: row["no_employer"], duplicatePersons: duplicates["persons"],
                           duplicatePairs: duplicates["pairs"])
    }
}
