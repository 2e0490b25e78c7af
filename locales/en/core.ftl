# Core: greeting, menu, help, balance, language, cancel, generic errors.
language-name = English

start-greeting =
    Hi, { $name }! I turn your photos, voice notes and ideas into videos.

    • Talking avatar — send a photo and a voice note, get a video of the person speaking.
    • Text to video — describe a scene.
    • Image to video — bring a picture to life.

    Your balance: { $balance } { $balance ->
            [one] credit
           *[other] credits
        }.
    Pick what to make:

menu-lipsync = 🗣 Talking avatar
menu-text2video = ✍️ Text to video
menu-image2video = 🖼 Image to video
menu-balance = 💰 Balance
menu-topup = ⭐ Top up
menu-history = 📜 History
menu-help = ❓ Help

help-text =
    What I can do:
    /lipsync — talking avatar: a photo + a voice note or audio → a video of the person speaking
    /text2video — a video from a text description
    /image2video — a video from a picture and a description
    /balance — your credits
    /topup — buy credits with Telegram Stars
    /history — your recent videos (tap to get one again)
    /language — change the language
    /cancel — stop what you are doing
    /paysupport — help with a payment

    You pay only for what you confirm; if a video fails, the credits come back automatically.

balance-text = Your balance: { $balance } { $balance ->
        [one] credit
       *[other] credits
    }.
balance-topup-hint = Top up with /topup.

language-choose = Choose your language:
language-set = Done — I will speak English now.

cancel-done = Cancelled. Nothing was charged.
cancel-nothing = There is nothing to cancel. Send /start to see the menu.

unknown-command = I don't know that command. Send /help to see what I can do.
unknown-message = Send /start to see the menu.

error-generic = Something went wrong on my side. Please try again in a minute.
error-banned = Your account is suspended. If you think this is a mistake, write to /paysupport.
error-too-many-requests = You are sending requests too fast. Please wait a moment.

command-start = Main menu
command-lipsync = Talking avatar (photo + voice)
command-text2video = Video from text
command-image2video = Video from an image
command-balance = Your credits
command-topup = Buy credits with Stars
command-history = Your recent videos
command-language = Change language
command-cancel = Stop the current action
command-help = Help
command-paysupport = Payment support
