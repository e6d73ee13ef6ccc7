"""What a person is told at the end of a step, Vietnamese first. The UI shows these; the core
decides which one applies.

House wording (a proofreader's, issue 13): the citizen is "ông/bà" (never "bạn"); a compartment is
a "ngăn tủ"; the office is "Bộ phận Một cửa"; one sentence ends with a full stop, never a
semicolon or a dash; what went wrong is said as a fact ("Hồ sơ chưa được nộp"), what to do next as
a request ("Vui lòng …"); a lockout says until when (a time of day), a code says which dossier.
"""

from __future__ import annotations

import enum


class Say(enum.Enum):
    ALREADY_LOADED = (
        "Kết quả của hồ sơ {code} đã ở ngăn tủ {compartment}.",
        "The result of dossier {code} is already in compartment {compartment}.",
    )
    NO_SPACE = ("Hiện không còn ngăn tủ trống phù hợp.", "No fitting compartment is free now.")
    NO_SPACE_DROPOFF = (
        "Hiện không còn ngăn tủ trống phù hợp. Hồ sơ chưa được nộp. Vui lòng quay lại sau hoặc nộp hồ sơ"
        " tại Bộ phận Một cửa trong giờ làm việc.",
        "No fitting compartment is free now. The dossier has not been handed in. Please come back later"
        " or hand it in at the one-stop office during opening hours.",
    )
    JAM_RETRYING = (
        "Ngăn tủ {compartment} bị kẹt. Máy đang mở ngăn tủ khác.",
        "Compartment {compartment} is jammed. Opening another one.",
    )
    NOTHING_PLACED = (
        "Cửa ngăn tủ đã đóng nhưng bên trong trống. Kết quả chưa được đưa vào tủ.",
        "The door closed with nothing inside. The result has not been put in.",
    )
    LOADED = (
        "Đã đưa kết quả vào ngăn tủ {compartment}.",
        "The result is in compartment {compartment}.",
    )
    UNCERTAIN = (
        "Máy không xác nhận được ngăn tủ {compartment}. Vui lòng kiểm tra cửa ngăn tủ.",
        "Compartment {compartment} could not be confirmed. Please check its door.",
    )
    CODE_REJECTED = ("{reason_vi}", "{reason_en}")
    NOT_HERE = (
        "Máy không có kết quả của hồ sơ {code}. Vui lòng kiểm tra lại mã.",
        "This kiosk holds no result for dossier {code}. Please check the code.",
    )
    TAIL_AMBIGUOUS = (
        "Có nhiều hồ sơ có mã kết thúc bằng {tail}. Vui lòng nhập đầy đủ mã hồ sơ.",
        "More than one dossier code ends in {tail}. Please type the whole dossier code.",
    )
    OTHER_KIOSK = (
        "Mã QR này dùng để nhận kết quả tại máy {kiosk}, không phải máy này.",
        "This QR code is for picking up at kiosk {kiosk}, not this one.",
    )
    ALREADY_PICKED_UP = (
        "Kết quả của hồ sơ {code} đã được nhận.",
        "The result of dossier {code} has already been picked up.",
    )
    EXPIRED = (
        "Mã QR đã hết hạn. Vui lòng liên hệ Bộ phận Một cửa.",
        "The QR code has expired. Please contact the one-stop office.",
    )
    PIN_FORMAT = ("Vui lòng nhập mã PIN gồm 6 chữ số.", "Please type the 6-digit PIN.")
    PIN_WRONG = (
        "Mã PIN không đúng. Còn {left} lần thử.",
        "Wrong PIN. Tries left: {left}.",
    )
    LOCKED = (
        "Hồ sơ {code} tạm khóa do nhập sai mã PIN nhiều lần. Vui lòng thử lại sau {until}.",
        "Dossier {code} is locked after too many wrong PINs. Please try again after {until}.",
    )
    KIOSK_BUSY = (
        "Máy tạm ngừng nhận mã PIN do có nhiều lần nhập sai. Vui lòng thử lại sau {until}.",
        "Too many wrong PINs at this kiosk. Please try again after {until}.",
    )
    FEE_DUE = (
        "Hồ sơ còn phải nộp phí {amount_vi} đồng. Vui lòng nộp tại Bộ phận Một cửa trong giờ làm việc.",
        "A fee of {amount_en} đồng is still due on this dossier. Please pay it at the one-stop office"
        " during opening hours.",
    )
    JAMMED = (
        "Ngăn tủ {compartment} bị kẹt, không mở được. Kết quả vẫn an toàn bên trong. Vui lòng liên hệ"
        " Bộ phận Một cửa.",
        "Compartment {compartment} is jammed and did not open. The result is safe inside. Please contact"
        " the one-stop office.",
    )
    TAKE_RESULT = (
        "Ngăn tủ {compartment} đang mở. Mời ông/bà nhận kết quả và đóng cửa lại.",
        "Compartment {compartment} is open. Please take your result and close the door.",
    )
    NOT_TAKEN = (
        "Kết quả vẫn còn trong ngăn tủ. Ông/bà chưa nhận kết quả.",
        "The result is still in the compartment. It has not been picked up.",
    )
    ALREADY_DEPOSITED = (
        "Hồ sơ {code} đã được nộp vào ngăn tủ {compartment}.",
        "Dossier {code} has already been handed in, in compartment {compartment}.",
    )
    PHONE_FORMAT = (
        "Số điện thoại chưa đúng. Vui lòng nhập số di động gồm 10 chữ số, bắt đầu bằng 0.",
        "That phone number is not right. Please type a mobile number of 10 digits, starting with 0.",
    )
    PUT_DOSSIER = (
        "Ngăn tủ {compartment} đang mở. Mời ông/bà đặt hồ sơ vào và đóng cửa lại.",
        "Compartment {compartment} is open. Please put your dossier in and close the door.",
    )
    PUT_DOSSIER_INSTEAD = (
        "Ngăn tủ {jammed} bị kẹt nên máy đã mở ngăn tủ {compartment}. Mời ông/bà đặt hồ sơ vào và đóng"
        " cửa lại.",
        "Compartment {jammed} was jammed, so compartment {compartment} is open instead. Please put your"
        " dossier in and close the door.",
    )
    UNKNOWN_PROCEDURE = (
        "Máy không nhận hồ sơ của thủ tục này. Vui lòng chọn lại.",
        "This kiosk does not take that procedure. Please choose again.",
    )
    REVIEW = (
        "Vui lòng kiểm tra lại. Chạm «Tiếp tục» để mở ngăn tủ.",
        "Please check these details. Touch Continue to open a compartment.",
    )
    NO_LOW_FREE = (
        "Hiện không còn ngăn tủ thấp trống. Ngăn tủ sẽ mở ở vị trí cao hơn.",
        "No low compartment is free now. The compartment will open higher up.",
    )
    NO_LARGE_FREE = (
        "Hiện không còn ngăn tủ lớn trống. Ông/bà có thể chọn ngăn tủ thường nếu hồ sơ vừa.",
        "No large compartment is free now. You can choose a usual one if the dossier fits.",
    )
    DEPOSITED = (
        "Máy đã nhận hồ sơ. Mời ông/bà lấy biên nhận.",
        "The dossier has been received. Please take your receipt.",
    )
    NOTHING_DEPOSITED = (
        "Cửa ngăn tủ đã đóng nhưng bên trong không có hồ sơ. Hồ sơ chưa được nộp vào ngăn tủ.",
        "The door closed with nothing inside. The dossier has not been handed in.",
    )
    TAKE_ITEM = (
        "Ngăn tủ {compartment} đang mở. Vui lòng lấy hồ sơ ra và đóng cửa lại.",
        "Compartment {compartment} is open. Please take the item out and close the door.",
    )
    TAKEN = ("Đã lấy hồ sơ ra.", "Taken out.")
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
    TECH_OPEN = ("Ngăn tủ {compartment} đã mở.", "Compartment {compartment} is open.")
    FOUND_OPEN = (
        "Ngăn tủ {compartment} đang mở sẵn. Để bảo đảm an toàn, máy không mở ngăn tủ này. Vui lòng liên hệ"
        " Bộ phận Một cửa.",
        "Compartment {compartment} was already open. To be safe, the kiosk did not unlock it. Please"
        " contact the one-stop office.",
    )
    TECH_FOUND_OPEN = (
        "Ngăn tủ {compartment} đã mở sẵn trước khi mở khóa.",
        "Compartment {compartment} was already open before the unlock.",
    )
    TECH_CLOSED = ("Ngăn tủ {compartment} đã đóng.", "Compartment {compartment} is closed.")
    TECH_JAMMED = (
        "Ngăn tủ {compartment} không mở được (bị kẹt). Ngăn tủ đã tạm ngừng sử dụng.",
        "Compartment {compartment} did not open (jammed). It is now out of service.",
    )
    OUT_OF_SERVICE = (
        "Ngăn tủ {compartment} đã tạm ngừng sử dụng.",
        "Compartment {compartment} is out of service.",
    )
    BACK_IN_SERVICE = (
        "Ngăn tủ {compartment} đã hoạt động lại.",
        "Compartment {compartment} is back in service.",
    )
    NO_SUCH_COMPARTMENT = ("Không có ngăn tủ {compartment}.", "There is no compartment {compartment}.")
    STATUS = ("Hồ sơ {code}: {vi}.", "Dossier {code}: {en}.")
    STATUS_CACHED = (
        "Hồ sơ {code}: {vi}. (Thông tin lúc {when}, cách đây {hours} giờ. Mạng đang gián đoạn.)",
        "Dossier {code}: {en}. (As of {when}, {hours} hours ago. The network is down.)",
    )
    STATUS_UNKNOWN = (
        "Không tìm thấy hồ sơ {code}. Vui lòng kiểm tra lại mã.",
        "No dossier {code} was found. Please check the code.",
    )
    STATUS_UNKNOWN_OFFLINE = (
        "Mạng đang gián đoạn. Máy chưa có thông tin về hồ sơ {code}. Vui lòng thử lại sau.",
        "The network is down. This kiosk has no news of dossier {code}. Please try again later.",
    )
    AT_OTHER_KIOSK = (
        "Kết quả của hồ sơ {code} đang chờ tại máy {kiosk}.",
        "The result of dossier {code} is waiting at kiosk {kiosk}.",
    )
    THANK_YOU = ("Ông/bà đã nhận kết quả. Xin cảm ơn!", "You have your result. Thank you!")
    STATUS_OTHER = (
        "Hồ sơ {code}: trạng thái “{status}”. Vui lòng liên hệ Bộ phận Một cửa để biết thêm.",
        "Dossier {code}: status “{status}”. Please ask the one-stop office for more.",
    )
    SIGNIN_REFUSED = (
        "Thẻ hoặc mã PIN không đúng. Còn {left} lần thử.",
        "The badge or the PIN is not right. Tries left: {left}.",
    )
    BADGE_LOCKED = (
        "Thẻ này tạm khóa do nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        "Too many wrong PINs with this badge. Please try again in {minutes} minutes.",
    )
    SIGNIN_BUSY = (
        "Có quá nhiều lần đăng nhập sai trên máy. Vui lòng thử lại sau {minutes} phút.",
        "Too many failed sign-ins at this kiosk. Please try again in {minutes} minutes.",
    )
    TOKEN_NOT_VALID = (
        "Mã QR này không dùng được. Ông/bà có thể chọn Nhận kết quả rồi nhập mã hồ sơ và mã PIN"
        " trong tin nhắn.",
        "This QR code cannot be used. You can choose Pick up a result, then type the dossier code"
        " and the PIN from your SMS.",
    )
    SOMETHING_WENT_WRONG = (
        "Đã có lỗi xảy ra và việc vừa rồi đã được dừng an toàn. Máy đã sẵn sàng trở lại. Mời ông/bà bắt"
        " đầu lại.",
        "Something went wrong and what you were doing was stopped safely. The machine is ready again."
        " Please start over.",
    )
    OUT_OF_SERVICE_NOW = (
        "Máy tạm ngừng phục vụ. Vui lòng quay lại sau hoặc liên hệ Bộ phận Một cửa trong giờ làm việc.",
        "This kiosk is out of service for now. Please come back later or contact the one-stop office"
        " during opening hours.",
    )
    COMPARTMENT_RESTING = (
        "Ngăn tủ {compartment} đang tạm ngừng phục vụ. Kết quả của ông/bà vẫn an toàn bên trong. Vui lòng"
        " quay lại sau hoặc liên hệ Bộ phận Một cửa.",
        "Compartment {compartment} is out of service for a while. Your result is safe inside. Please come"
        " back later or contact the one-stop office.",
    )
    OUT_OF_SERVICE_HISTORY = (
        "Máy đang chờ kỹ thuật viên kiểm tra dữ liệu ({problem}). Chưa đưa kết quả vào tủ được.",
        "The kiosk waits for a technician to check its data ({problem}). Results cannot be put in yet.",
    )
    DROPOFFS_PAUSED = (
        "Máy tạm thời không nhận hồ sơ vì bộ nhớ đã đầy. Ông/bà vẫn có thể nhận kết quả tại máy này. Vui"
        " lòng nộp hồ sơ tại Bộ phận Một cửa trong giờ làm việc. Kỹ thuật viên đã được báo.",
        "The kiosk cannot take in dossiers for now: its storage is full. You can still pick up results"
        " here. Please hand in your dossier at the one-stop office during opening hours. A technician"
        " has been told.",
    )
    OUT_OF_SERVICE_DISK = (
        "Bộ nhớ của máy sắp đầy. Máy tạm ngừng nhận việc mới. Kỹ thuật viên đã được báo.",
        "The kiosk's storage is nearly full. It takes no new work for now. A technician has been told.",
    )
    # issue 13: after — reopening a compartment, "the door did not open", the code by SMS, the rating
    REOPENED = (
        "Ngăn tủ {compartment} đã mở lại. Mời ông/bà lấy đồ còn quên và đóng cửa lại.",
        "Compartment {compartment} is open again. Please take what you left and close the door.",
    )
    REOPENED_DOSSIER = (
        "Ngăn tủ {compartment} đã mở lại. Ông/bà có thể bổ sung hoặc lấy lại hồ sơ, rồi đóng cửa lại.",
        "Compartment {compartment} is open again. You may add to your dossier or take it back, then"
        " close the door.",
    )
    REOPEN_ONCE = (
        "Ngăn tủ chỉ được mở lại một lần. Vui lòng chạm «Trợ giúp» để được hỗ trợ.",
        "A compartment can be reopened only once. Please touch Help.",
    )
    REOPEN_TOO_LATE = (
        "Đã quá thời gian mở lại ngăn tủ. Vui lòng chạm «Trợ giúp» để được hỗ trợ.",
        "It is too late to reopen the compartment. Please touch Help.",
    )
    REOPEN_JAMMED = (
        "Ngăn tủ {compartment} không mở lại được. Vui lòng chạm «Trợ giúp» để được hỗ trợ.",
        "Compartment {compartment} did not open again. Please touch Help.",
    )
    CLOSED_EMPTY = ("Cửa đã đóng. Xin cảm ơn!", "The door is closed. Thank you!")
    DOSSIER_STILL_INSIDE = (
        "Hồ sơ vẫn ở trong ngăn tủ {compartment} và đã được nhận.",
        "Your dossier is still in compartment {compartment} and has been received.",
    )
    DOSSIER_SAFE_INSIDE = (
        "Ngăn tủ {compartment} không mở lại được. Hồ sơ vẫn an toàn trong ngăn tủ và đã được nhận.",
        "Compartment {compartment} did not open again. Your dossier is safe inside and has been received.",
    )
    TAKEN_BACK = (
        "Ông/bà đã lấy lại hồ sơ. Hồ sơ chưa được nộp.",
        "You took your dossier back. It has not been handed in.",
    )
    ITEM_LEFT = (
        "Trong ngăn tủ {compartment} còn đồ vật. Cán bộ sẽ kiểm tra. Nếu là đồ của ông/bà, vui lòng chạm"
        " «Trợ giúp».",
        "Something is inside compartment {compartment}. An officer will check it. If it is yours, please"
        " touch Help.",
    )
    NOT_OPENED = (
        "Đã ghi nhận ngăn tủ {compartment} không mở. Kết quả vẫn được giữ cho ông/bà. Vui lòng chạm"
        " «Trợ giúp» để gọi hỗ trợ và đọc mã tra cứu.",
        "Compartment {compartment} is recorded as not opening. Your result is kept for you. Please touch"
        " Help to call for help and give the reference.",
    )
    SEEN_OPEN_EMPTY = (
        "Máy thấy cửa ngăn tủ {compartment} đang mở và trong ngăn tủ không còn kết quả. Vui lòng đóng"
        " cửa lại.",
        "The kiosk sees the door of compartment {compartment} open, with no result inside. Please close"
        " the door.",
    )
    SEEN_DOSSIER_INSIDE = (
        "Máy thấy hồ sơ đã ở trong ngăn tủ {compartment}. Vui lòng đóng cửa lại.",
        "The kiosk sees your dossier inside compartment {compartment}. Please close the door.",
    )
    DOOR_REPORTED = (
        "Đã ghi nhận. Vui lòng chạm «Trợ giúp» để gọi hỗ trợ và đọc mã tra cứu.",
        "Noted. Please touch Help to call for help and give the reference.",
    )
    CODE_BY_SMS = (
        "Mã hồ sơ sẽ được gửi qua tin nhắn tới số {phone}.",
        "The dossier's code will be sent by SMS to {phone}.",
    )
    RATED = ("Cảm ơn ông/bà đã đánh giá.", "Thank you for your rating.")
    # issue 14: fees paid at the kiosk (kiosk/journeys/paying.py). Amounts come in as {x_vi}/{x_en}
    # (``sums``); the kiosk gives no change, and says so before a note goes in
    FEE_CHOOSE = (
        "Hồ sơ còn phải nộp phí {remaining_vi} đồng. Vui lòng chọn cách thanh toán.",
        "A fee of {remaining_en} đồng is due on this dossier. Please choose how to pay.",
    )
    PAY_QR = (
        "Vui lòng quét mã QR bằng ứng dụng ngân hàng và chuyển đúng {remaining_vi} đồng. Ngăn tủ sẽ mở"
        " khi máy nhận được xác nhận của ngân hàng. Nếu đã chuyển mà ngăn tủ chưa mở, vui lòng chờ thêm,"
        " không chuyển lại.",
        "Please scan the QR code with your banking app and transfer exactly {remaining_en} đồng. The"
        " compartment opens once the bank confirms the payment. If you have paid and it has not opened"
        " yet, please wait: do not pay again.",
    )
    PAY_CASH = (
        "Vui lòng đưa từng tờ tiền vào máy. Máy không trả lại tiền thừa nên chỉ nhận tờ tiền đến"
        " {largest_vi} đồng. Còn phải nộp {remaining_vi} đồng.",
        "Please put the notes in one at a time. The kiosk gives no change, so it takes notes of up to"
        " {largest_en} đồng only. Still due: {remaining_en} đồng.",
    )
    CASH_CREDITED = (
        "Đã nhận {value_vi} đồng. Còn phải nộp {remaining_vi} đồng.",
        "{value_en} đồng received. Still due: {remaining_en} đồng.",
    )
    FEE_PAID = (
        "Đã thanh toán {amount_vi} đồng. Xin cảm ơn!",
        "{amount_en} đồng paid. Thank you!",
    )
    PAYMENT_SHORT = (
        "Máy nhận được {received_vi} đồng, chưa đủ {amount_vi} đồng. Ngăn tủ chưa mở. Số tiền đã nhận"
        " được ghi cho hồ sơ. Vui lòng liên hệ Bộ phận Một cửa.",
        "The kiosk received {received_en} đồng, less than {amount_en} đồng. The compartment stays shut."
        " What arrived is counted for the dossier. Please contact the one-stop office.",
    )
    QR_EXPIRED = (
        "Đã hết thời gian chờ thanh toán. Nếu ông/bà đã chuyển tiền, số tiền vẫn được ghi cho hồ sơ và"
        " không phải nộp lại: khi ngân hàng báo đã nhận, ông/bà nhận kết quả bằng mã hồ sơ như lúc nãy."
        " Nếu chưa chuyển, vui lòng bắt đầu lại.",
        "The time to pay is over. If you have transferred the money, it is still counted for the dossier"
        " and is not asked again: once the bank confirms it, pick up the result with the dossier's code"
        " as before. If you have not, please start again.",
    )
    QR_CANCELLED = (
        "Đã hủy thanh toán. Nếu ông/bà đã chuyển khoản, số tiền vẫn được ghi cho hồ sơ và không phải nộp"
        " lại: khi ngân hàng báo đã nhận, ông/bà nhận kết quả bằng mã hồ sơ như lúc nãy.",
        "The payment was cancelled. If you have already transferred the money, it is still counted for"
        " the dossier and is not asked again: once the bank confirms it, pick up the result with the"
        " dossier's code as before.",
    )
    CASH_REJECTED = (
        "Máy không nhận tờ tiền này. Vui lòng lấy lại tờ tiền và thử tờ khác. Nếu ông/bà chỉ có tờ tiền"
        " lớn hơn, vui lòng chạm «Quay lại» để chuyển khoản.",
        "The kiosk did not take that note. Please take it back and try another. If you only have larger"
        " notes, please touch Go back to pay by transfer.",
    )
    CASH_JAMMED = (
        "Tờ tiền bị kẹt trong máy. Số tiền đã nhận vẫn được ghi cho hồ sơ và cán bộ đã được báo. Ông/bà"
        " có thể chạm «Quay lại» để thanh toán phần còn lại bằng mã QR.",
        "A note is stuck in the kiosk. What it has received is still counted for the dossier and an"
        " officer has been told. You can touch Back to pay the rest by QR code.",
    )
    PAID_IN_PART = (
        "Máy đã nhận {received_vi} đồng. Còn phải nộp {remaining_vi} đồng. Vui lòng chọn cách thanh"
        " toán phần còn lại.",
        "{received_en} đồng received. Still due: {remaining_en} đồng. Please choose how to pay the rest.",
    )
    FEE_PAID_OVER = (
        "Đã thanh toán {amount_vi} đồng. Máy đã nhận thừa {excess_vi} đồng và không trả lại tiền thừa."
        " Vui lòng giữ biên nhận và liên hệ Bộ phận Một cửa để nhận lại.",
        "{amount_en} đồng paid. The kiosk took {excess_en} đồng too much and gives no change. Please"
        " keep the receipt and ask the one-stop office for it back.",
    )
    QR_NOT_HEARD = (
        "Máy chưa liên lạc được với ngân hàng. Nếu ông/bà chưa chuyển tiền, vui lòng chạm «Quay lại» để"
        " thanh toán bằng tiền mặt hoặc thử lại sau.",
        "The kiosk cannot reach the bank yet. If you have not transferred the money, please touch Back"
        " to pay in cash, or try again later.",
    )
    CASH_STOPPED = (
        "Máy tạm ngừng nhận tiền mặt. Số tiền đã nhận vẫn được ghi cho hồ sơ. Ông/bà có thể chạm «Quay"
        " lại» để thanh toán bằng mã QR hoặc liên hệ Bộ phận Một cửa.",
        "The kiosk has stopped taking cash. What it has received is still counted for the dossier. You"
        " can touch Back to pay by QR code, or contact the one-stop office.",
    )
    CASH_REFUSED = (
        "Máy không nhận tờ tiền này. Vui lòng liên hệ Bộ phận Một cửa.",
        "The kiosk refused that note. Please contact the one-stop office.",
    )
    # issue 14: a result only its holder may take, shown by the chip ID card's QR (holder's block)
    HOLDER_ASK = (
        "Kết quả này chỉ được trao cho người đứng tên hồ sơ. Vui lòng quét mã QR trên thẻ Căn cước công"
        " dân của người đứng tên hồ sơ.",
        "This result is handed over only to the person named on the dossier. Please scan the QR code on"
        " that person's chip ID card (CCCD).",
    )
    CARD_UNREADABLE = (
        "Máy chưa đọc được mã QR trên thẻ. Vui lòng quét lại, giữ thẻ phẳng và yên trước máy quét. Lật"
        " thẻ lại nếu không thấy mã QR.",
        "The QR code on the card could not be read. Please scan it again, holding the card flat and"
        " still in front of the scanner. Turn the card over if you cannot see the QR code.",
    )
    CARD_UNREADABLE_LAST = (
        "Máy chưa đọc được mã QR trên thẻ. Còn 1 lần thử. Giữ thẻ phẳng và yên trước máy quét, mặt có mã"
        " QR hướng vào máy.",
        "The QR code on the card could not be read. 1 try left. Hold the card flat and still in front of"
        " the scanner, the side with the QR code towards it.",
    )
    CARD_NOTHING_READ = (
        "Máy chưa đọc được mã. Vui lòng quét mã QR trên thẻ Căn cước công dân.",
        "Nothing was read. Please scan the QR code on the chip ID card.",
    )
    CARD_NOT_A_CARD = (
        "Đây không phải mã QR trên thẻ Căn cước công dân. Vui lòng quét mã QR in trên thẻ.",
        "This is not the QR code of a chip ID card. Please scan the QR code printed on the card.",
    )
    CARD_BUSY = (
        "Máy tạm ngừng nhận thẻ do có nhiều lần thẻ không khớp. Vui lòng thử lại sau {until}.",
        "Too many cards that did not match at this kiosk. Please try again after {until}.",
    )
    HOLDER_MISMATCH = (
        "Thẻ này không phải của người đứng tên hồ sơ. Vui lòng gặp cán bộ tại Bộ phận Một cửa trong giờ"
        " làm việc. Kết quả vẫn được giữ an toàn tại máy.",
        "This card is not the card of the person named on the dossier. Please see the officer at the"
        " one-stop office during opening hours. The result stays safe here.",
    )
    HOLDER_UNREADABLE = (
        "Máy không đọc được thẻ. Vui lòng mang thẻ Căn cước công dân đến gặp cán bộ tại Bộ phận Một cửa"
        " trong giờ làm việc. Kết quả vẫn được giữ an toàn tại máy.",
        "The card could not be read. Please bring the chip ID card to the officer at the one-stop office"
        " during opening hours. The result stays safe here.",
    )
    HOLDER_GUESSED = (
        "Đã có nhiều thẻ không đúng được quét cho hồ sơ này nên máy không nhận thẻ nữa. Vui lòng mang thẻ"
        " Căn cước công dân đến gặp cán bộ tại Bộ phận Một cửa trong giờ làm việc. Kết quả vẫn được giữ"
        " an toàn tại máy.",
        "Too many cards that were not the holder's have been scanned for this dossier, so the kiosk takes"
        " no more. Please bring the chip ID card to the officer at the one-stop office during opening"
        " hours. The result stays safe here.",
    )
    HOLDER_NO_KEY = (
        "Kết quả này chỉ được trao cho người đứng tên hồ sơ và máy này chưa kiểm tra được thẻ. Vui lòng"
        " mang thẻ Căn cước công dân đến gặp cán bộ tại Bộ phận Một cửa trong giờ làm việc. Kết quả vẫn"
        " được giữ an toàn tại máy.",
        "This result is handed over only to the person named on the dossier, and this kiosk cannot check"
        " the card for it. Please bring the chip ID card to the officer at the one-stop office during"
        " opening hours. The result stays safe here.",
    )

    def __init__(self, vi: str, en: str) -> None:
        self.vi = vi
        self.en = en

    def format(self, **values: object) -> tuple[str, str]:
        return self.vi.format(**values), self.en.format(**values)


def amount(dong: int, language: str) -> str:
    """A sum of money as each language writes it: "8.000" in Vietnamese, "8,000" in English."""
    grouped = f"{dong:,}"
    return grouped.replace(",", ".") if language == "vi" else grouped


def sums(**values: int) -> dict[str, str]:
    """Each sum of đồng as both languages write it: ``sums(remaining=8000)`` gives
    ``remaining_vi="8.000"`` and ``remaining_en="8,000"``."""
    return {f"{name}_{lang}": amount(value, lang) for name, value in values.items() for lang in ("vi", "en")}
