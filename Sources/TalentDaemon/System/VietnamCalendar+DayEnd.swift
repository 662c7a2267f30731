extension VietnamCalendar {
    /// The UTC timestamp at which the Vietnam day `day` ends (midnight at UTC+7 is 17:00 UTC):
    /// a record stamped before it happened on or before that day.
    static func endOfDay(_ day: String) -> String { day + "T17:00:00.000Z" }
}
