"""What a person is told at the end of a step, Vietnamese first. The UI shows these; the core
decides which one applies."""

from __future__ import annotations

import enum


class Say(enum.Enum):
    ALREADY_LOADED = (
        "Kết quả này đã ở ngăn {compartment}.",
        "This result is already in compartment {compartment}.",
    )
    NO_SPACE = ("Không còn ngăn trống phù hợp.", "No fitting compartment is free.")
    JAM_RETRYING = (
        "Ngăn {compartment} bị kẹt; đang mở ngăn khác.",
        "Compartment {compartment} is jammed; opening another.",
    )
    NOTHING_PLACED = (
        "Cửa đã đóng nhưng ngăn trống: chưa nạp.",
        "The door closed with nothing inside: not loaded.",
    )
    LOADED = ("Đã nạp vào ngăn {compartment}.", "Loaded into compartment {compartment}.")
    UNCERTAIN = (
        "Không xác nhận được ngăn {compartment}; hãy kiểm tra cửa.",
        "Compartment {compartment} could not be confirmed; check the door.",
    )
    CODE_REJECTED = ("{reason_vi}", "{reason_en}")
    NOT_HERE = ("Hồ sơ này không có ở máy này.", "This dossier is not at this kiosk.")
    OTHER_KIOSK = ("Mã này dành cho máy khác.", "This code is for another kiosk.")
    ALREADY_PICKED_UP = ("Kết quả này đã được nhận.", "This result has already been picked up.")
    EXPIRED = (
        "Mã đã hết hạn. Vui lòng liên hệ bộ phận một cửa.",
        "The code has expired. Please ask the office.",
    )
    PIN_FORMAT = ("Mã PIN gồm 6 chữ số.", "The PIN has 6 digits.")
    PIN_WRONG = ("Mã PIN không đúng. Còn {left} lần thử.", "Wrong PIN. {left} tries left.")
    LOCKED = (
        "Hồ sơ tạm khóa do nhập sai nhiều lần. Thử lại sau {minutes} phút.",
        "Too many wrong PINs for this dossier. Try again in {minutes} minutes.",
    )
    KIOSK_BUSY = (
        "Quá nhiều lần nhập sai trên máy. Thử lại sau {minutes} phút.",
        "Too many wrong PINs at this kiosk. Try again in {minutes} minutes.",
    )
    JAMMED = (
        "Ngăn {compartment} bị kẹt. Vui lòng liên hệ cán bộ.",
        "Compartment {compartment} is jammed. Please ask an officer.",
    )
    TAKE_RESULT = (
        "Ngăn {compartment} đang mở — mời nhận kết quả và đóng cửa.",
        "Compartment {compartment} is open — take your result and close the door.",
    )
    NOT_TAKEN = ("Kết quả vẫn còn trong ngăn.", "The result is still in the compartment.")
    ALREADY_DEPOSITED = (
        "Hồ sơ này đã được nộp vào ngăn {compartment}.",
        "This dossier is already deposited in compartment {compartment}.",
    )
    PHONE_FORMAT = (
        "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0).",
        "That phone number is not valid (10 digits, starting with 0).",
    )
    PUT_DOSSIER = (
        "Ngăn {compartment} đang mở — mời đặt hồ sơ vào và đóng cửa.",
        "Compartment {compartment} is open — put your dossier in and close the door.",
    )
    PUT_DOSSIER_INSTEAD = (
        "Ngăn {jammed} bị kẹt nên máy đã mở ngăn {compartment} — mời đặt hồ sơ vào và đóng cửa.",
        "Compartment {jammed} was jammed, so {compartment} is open instead — put your dossier in and"
        " close the door.",
    )
    UNKNOWN_PROCEDURE = (
        "Không có thủ tục này ở máy. Vui lòng chọn lại.",
        "This kiosk does not take that procedure. Please choose again.",
    )
    DEPOSITED = ("Đã nhận hồ sơ. Mời nhận biên nhận.", "Dossier received. Please take your receipt.")
    NOTHING_DEPOSITED = (
        "Cửa đã đóng nhưng ngăn trống: hồ sơ chưa được nộp.",
        "The door closed with nothing inside: the dossier was not deposited.",
    )
    TAKE_ITEM = (
        "Ngăn {compartment} đang mở — lấy ra và đóng cửa.",
        "Compartment {compartment} is open — take the item out and close the door.",
    )
    TAKEN = ("Đã lấy ra.", "Taken out.")
    BADGE_UNKNOWN = (
        "Thẻ cán bộ không hợp lệ hoặc đã bị khóa.",
        "This staff badge is not known or not active.",
    )
    SIGN_IN_FIRST = ("Vui lòng đăng nhập bằng thẻ cán bộ.", "Please sign in with your staff badge.")
    WRONG_ROLE = (
        "Tài khoản này không được làm việc này.",
        "This account is not allowed to do this.",
    )
    WELCOME = ("Xin chào {name}.", "Welcome, {name}.")
    SIGNED_OUT = ("Đã đăng xuất.", "Signed out.")
    TECH_OPEN = ("Ngăn {compartment} đã mở.", "Compartment {compartment} is open.")
    FOUND_OPEN = (
        "Ngăn {compartment} đang mở sẵn. Để bảo đảm an toàn, vui lòng liên hệ cán bộ.",
        "Compartment {compartment} was already open. To be safe, please ask an officer.",
    )
    TECH_FOUND_OPEN = (
        "Ngăn {compartment} đã mở sẵn trước khi mở khóa.",
        "Compartment {compartment} was already open before the unlock.",
    )
    TECH_CLOSED = ("Ngăn {compartment} đã đóng.", "Compartment {compartment} is closed.")
    TECH_JAMMED = (
        "Ngăn {compartment} không mở được (kẹt); đã tạm ngừng sử dụng.",
        "Compartment {compartment} did not open (jammed); it is now out of service.",
    )
    OUT_OF_SERVICE = (
        "Ngăn {compartment} đã tạm ngừng sử dụng.",
        "Compartment {compartment} is out of service.",
    )
    BACK_IN_SERVICE = (
        "Ngăn {compartment} đã hoạt động lại.",
        "Compartment {compartment} is back in service.",
    )
    NO_SUCH_COMPARTMENT = ("Không có ngăn {compartment}.", "There is no compartment {compartment}.")
    STATUS = ("Hồ sơ {code}: {vi}.", "Dossier {code}: {en}.")
    STATUS_CACHED = (
        "Hồ sơ {code}: {vi}. (Thông tin lúc {when}, cách đây {hours} giờ; mạng đang gián đoạn.)",
        "Dossier {code}: {en}. (As of {when}, {hours} hours ago; the network is down.)",
    )
    STATUS_UNKNOWN = (
        "Không tìm thấy hồ sơ {code}. Vui lòng kiểm tra lại mã.",
        "No dossier {code} was found. Please check the code.",
    )
    STATUS_UNKNOWN_OFFLINE = (
        "Mạng đang gián đoạn; máy chưa có thông tin về hồ sơ {code}. Vui lòng thử lại sau.",
        "The network is down and this kiosk has no news of dossier {code}. Please try again later.",
    )
    AT_OTHER_KIOSK = (
        "Kết quả của hồ sơ này đang chờ tại máy {kiosk}.",
        "The result of this dossier is waiting at kiosk {kiosk}.",
    )
    THANK_YOU = ("Đã trả kết quả. Cảm ơn ông/bà.", "Result handed over. Thank you.")
    STATUS_OTHER = (
        "Hồ sơ {code}: trạng thái “{status}”. Vui lòng liên hệ bộ phận một cửa để biết thêm.",
        "Dossier {code}: status “{status}”. Please ask the office for more.",
    )
    SIGNIN_REFUSED = (
        "Thẻ hoặc mã PIN không đúng. Còn {left} lần thử.",
        "The badge or the PIN is not right. {left} tries left.",
    )
    BADGE_LOCKED = (
        "Thẻ này tạm khóa do nhập sai nhiều lần. Thử lại sau {minutes} phút.",
        "Too many wrong PINs with this badge. Try again in {minutes} minutes.",
    )
    SIGNIN_BUSY = (
        "Quá nhiều lần đăng nhập sai trên máy. Thử lại sau {minutes} phút.",
        "Too many failed sign-ins at this kiosk. Try again in {minutes} minutes.",
    )
    TOKEN_NOT_VALID = (
        "Mã QR này không dùng được. Ông/bà có thể chọn Nhận kết quả rồi nhập mã hồ sơ và mã PIN"
        " trong tin nhắn.",
        "This QR code cannot be used. You can choose Pick up a result, then type the dossier code"
        " and the PIN from your SMS.",
    )
    SOMETHING_WENT_WRONG = (
        "Đã có lỗi xảy ra và việc vừa rồi đã được dừng an toàn. Máy đã sẵn sàng trở lại — mời bắt đầu lại.",
        "Something went wrong and what you were doing was stopped safely. The machine is ready again"
        " — please start over.",
    )
    OUT_OF_SERVICE_NOW = (
        "Máy tạm ngừng phục vụ. Vui lòng quay lại sau hoặc liên hệ bộ phận một cửa trong giờ làm việc.",
        "This kiosk is out of service for now. Please come back later or ask the office during opening"
        " hours.",
    )
    COMPARTMENT_RESTING = (
        "Ngăn {compartment} đang tạm ngừng phục vụ; kết quả của bạn vẫn an toàn bên trong. Vui lòng quay"
        " lại sau hoặc liên hệ cán bộ một cửa.",
        "Compartment {compartment} is out of service for a while; your result is safe inside. Please come"
        " back later or ask an officer at the one-stop office.",
    )
    OUT_OF_SERVICE_HISTORY = (
        "Máy đang chờ kỹ thuật viên kiểm tra dữ liệu ({problem}); chưa nạp kết quả được.",
        "The kiosk waits for a technician to check its data ({problem}); results cannot be loaded yet.",
    )
    DROPOFFS_PAUSED = (
        "Máy tạm thời không nhận hồ sơ vì bộ nhớ đã đầy. Bạn vẫn nhận kết quả tại máy được. Vui lòng nộp"
        " hồ sơ tại quầy một cửa trong giờ làm việc. Kỹ thuật viên đã được báo.",
        "The kiosk cannot take in dossiers for now: its storage is full. You can still pick up results"
        " here. Please hand in your dossier at the office counter during opening hours. A technician"
        " has been told.",
    )
    OUT_OF_SERVICE_DISK = (
        "Bộ nhớ của máy sắp đầy; máy tạm ngừng nhận việc mới. Kỹ thuật viên đã được báo.",
        "The kiosk's storage is nearly full; it takes no new work for now. A technician has been told.",
    )
    # issue 13: after — reopening a compartment, "the door did not open", the code by SMS, the rating
    REOPENED = (
        "Ngăn {compartment} đã mở lại — mời lấy đồ còn quên và đóng cửa.",
        "Compartment {compartment} is open again — take what you left and close the door.",
    )
    REOPENED_DOSSIER = (
        "Ngăn {compartment} đã mở lại — ông/bà có thể bổ sung hoặc lấy lại hồ sơ, rồi đóng cửa.",
        "Compartment {compartment} is open again — you may add to your dossier or take it back, then"
        " close the door.",
    )
    REOPEN_ONCE = (
        "Ngăn chỉ được mở lại một lần. Vui lòng bấm Trợ giúp để được hỗ trợ.",
        "A compartment can be reopened only once. Please touch Help.",
    )
    REOPEN_TOO_LATE = (
        "Đã quá thời gian mở lại ngăn. Vui lòng bấm Trợ giúp để được hỗ trợ.",
        "It is too late to reopen the compartment. Please touch Help.",
    )
    REOPEN_JAMMED = (
        "Ngăn {compartment} không mở lại được. Vui lòng bấm Trợ giúp để được hỗ trợ.",
        "Compartment {compartment} did not open again. Please touch Help.",
    )
    CLOSED_EMPTY = ("Cửa đã đóng. Xin cảm ơn!", "The door is closed. Thank you!")
    DOSSIER_STILL_INSIDE = (
        "Hồ sơ vẫn ở trong ngăn {compartment} và đã được nhận.",
        "Your dossier is still in compartment {compartment} and has been received.",
    )
    DOSSIER_SAFE_INSIDE = (
        "Ngăn {compartment} không mở lại được; hồ sơ vẫn an toàn trong ngăn và đã được nhận.",
        "Compartment {compartment} did not open again; your dossier is safe inside and has been received.",
    )
    TAKEN_BACK = (
        "Ông/bà đã lấy lại hồ sơ. Hồ sơ chưa được nộp.",
        "You took your dossier back. It has not been handed in.",
    )
    ITEM_LEFT = (
        "Trong ngăn {compartment} còn đồ vật. Cán bộ sẽ kiểm tra; nếu là đồ của ông/bà, vui lòng bấm"
        " Trợ giúp.",
        "Something is inside compartment {compartment}. An officer will check it; if it is yours, please"
        " touch Help.",
    )
    NOT_OPENED = (
        "Đã ghi nhận ngăn {compartment} không mở. Kết quả vẫn được giữ cho ông/bà. Vui lòng bấm Trợ giúp"
        " để gọi hỗ trợ và đọc mã tra cứu.",
        "Compartment {compartment} is recorded as not opening. Your result is kept for you. Please touch"
        " Help to call for help and give the reference.",
    )
    SEEN_OPEN_EMPTY = (
        "Máy thấy cửa ngăn {compartment} đang mở và trong ngăn không còn kết quả. Vui lòng đóng cửa lại.",
        "The kiosk sees the door of compartment {compartment} open, with no result inside. Please close"
        " the door.",
    )
    SEEN_DOSSIER_INSIDE = (
        "Máy thấy hồ sơ đã ở trong ngăn {compartment}. Vui lòng đóng cửa lại.",
        "The kiosk sees your dossier inside compartment {compartment}. Please close the door.",
    )
    DOOR_REPORTED = (
        "Đã ghi nhận. Vui lòng bấm Trợ giúp để gọi hỗ trợ và đọc mã tra cứu.",
        "Noted. Please touch Help to call for help and give the reference.",
    )
    CODE_BY_SMS = (
        "Mã hồ sơ sẽ được gửi qua tin nhắn tới số {phone}.",
        "The dossier's code will be sent by SMS to {phone}.",
    )
    RATED = ("Cảm ơn ông/bà đã đánh giá.", "Thank you for your rating.")

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en

    def format(self, **values: object) -> tuple[str, str]:
        return self.vi.format(**values), self.en.format(**values)
