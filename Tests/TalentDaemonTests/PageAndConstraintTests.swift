import XCTest
@testable import TalentDaemon

final class PageTests: XCTestCase {
    func testAFullFetchHasANextCursorAtTheLastItemShown() {
        let request = PageRequest(limit: 3, cursor: nil, after: 0)
        let page = Page([1, 2, 3, 4] as [Int64], request, cursor: { String($0) })
        XCTAssertEqual(page.items, [1, 2, 3])
        XCTAssertEqual(page.nextCursor, "3")
    }

    func testTheLastPageHasNoCursor() {
        let page = Page([7, 8] as [Int64], PageRequest(limit: 3, cursor: "6", after: 6), cursor: { String($0) })
        XCTAssertEqual(page.items, [7, 8])
        XCTAssertNil(page.nextCursor)
    }
}

final class ConstraintErrorTests: XCTestCase {
    func testNamedAndUnnamedChecksNameTheColumn() {
        XCTAssertEqual(ConstraintErrors.checkedColumn("CHECK constraint failed: term_end"), "term_end")
        XCTAssertEqual(ConstraintErrors.checkedColumn("CHECK constraint failed: length(name) BETWEEN 1 AND 64"), "name")
        XCTAssertEqual(ConstraintErrors.checkedColumn("CHECK constraint failed: kind IN ('human', 'agent')"), "kind")
        XCTAssertEqual(ConstraintErrors.checkedColumn("CHECK constraint failed: password_hash IS NULL OR password_hash LIKE '$argon2id$%'"),
                       "password_hash")
    }

    func testUniqueNamesTheLastColumn() {
        XCTAssertEqual(ConstraintErrors.columns(after: "constraint failed: ", in: "UNIQUE constraint failed: person.national_id"),
                       ["national_id"])
    }
}
